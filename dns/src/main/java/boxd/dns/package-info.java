/**
 * Authoritative DNS for the box zone: {@link boxd.dns.DnsServer} (the role: UDP and TCP listeners, the in-memory view
 * kept current from {@link boxd.common.Control#watch}) around {@link boxd.dns.ZoneAnswerer} (pure: query and
 * {@link boxd.dns.ZoneView} in, reply out). Depends on the JDK, dnsjava and common only.
 */
package boxd.dns;
