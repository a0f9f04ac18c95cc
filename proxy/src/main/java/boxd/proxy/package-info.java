/**
 * The proxy role ({@link boxd.proxy.ProxyServer}, configured by {@link boxd.proxy.ProxyConfig}): every box's web port
 * at {@code NAME.ZONE}, its proxy routes at {@code SUB.NAME.ZONE}, TCP exposures and per-box SSH ports.
 *
 * <ul>
 *   <li>{@code boxd.proxy.route}: {@code RouteTable}, an immutable snapshot of the replica (boxes, routes, exposures)
 *       rebuilt off the event loops on every applied change and read lock-free by the handlers.</li>
 *   <li>{@code boxd.proxy.http}: the Netty pipeline. {@code ProxyInitializer} assembles
 *       {@code SniHandler -> (ALPN) -> HttpServerCodec | Http2FrameCodec+Http2MultiplexHandler -> HostRouteHandler ->
 *       RelayFrontendHandler}; {@code RelayBackendHandler} sits on the box side ({@code HttpClientCodec}).</li>
 *   <li>{@code boxd.proxy.tls}: the generated, zone-constrained CA ({@code keys/proxy-ca.crt}, served at
 *       {@code /.well-known/boxd/ca.crt}), operator certificates, and the SNI mapping.</li>
 *   <li>{@code boxd.proxy.tcp}: {@code PortForwarders} (exposures and SSH ports), {@code RawRelayHandler} and
 *       {@code BackpressureHandler}, the base of every relay direction's last handler: its read-after-write rule.</li>
 * </ul>
 */
package boxd.proxy;
