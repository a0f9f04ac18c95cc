/**
 * Types shared by every role: names, box specs and records, errors, the {@link boxd.common.Control} client API the
 * roles program against, and the data directory layout. Depends on no other boxd module.
 */
package boxd.common;
