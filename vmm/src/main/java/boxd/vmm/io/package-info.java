/** eventfds and the epoll I/O thread (Java selectors cannot watch eventfds or taps). */
package boxd.vmm.io;
