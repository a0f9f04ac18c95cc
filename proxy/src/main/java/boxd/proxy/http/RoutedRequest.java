package boxd.proxy.http;

import boxd.proxy.route.RouteTable;
import io.netty.handler.codec.http.HttpRequest;

/** What {@link HostRouteHandler} passes on: a request and the running box it goes to. */
record RoutedRequest(HttpRequest request, RouteTable.Found target) {}
