/** Accounts by key: public-key authentication against the control plane, and failed-login rate limiting. */
package boxd.ssh.auth;
