package dev.bjoern.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * A peer: Netty 4.1's HTTP codec on the native epoll transport, as in Netty's own hello-world example. One event
 * loop group serves as both boss and worker, so with one loop a single thread accepts, parses and writes.
 */
final class NettyPeer {
    private NettyPeer() {
    }

    /**
     * Serves "/" and "/64k" on 127.0.0.1.
     *
     * @param loops the event loops (threads) of the one group
     * @return the bound port
     */
    static int start(int port, int loops) throws InterruptedException {
        // Without the native library Netty would fail later and less clearly; the benchmark wants epoll, not NIO.
        Epoll.ensureAvailability();
        EpollEventLoopGroup group = new EpollEventLoopGroup(loops);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group, group)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        // The keep-alive handler answers Connection: close (and HTTP/1.0) by closing after the
                        // response, and adds Connection: close to that response.
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpServerKeepAliveHandler(), new Hello());
                    }
                });
        InetSocketAddress bound = (InetSocketAddress) bootstrap.bind("127.0.0.1", port).sync().channel().localAddress();
        return bound.getPort();
    }

    /** Answers each request with the whole body at once; flushes once per read, so pipelined answers go together. */
    private static final class Hello extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            try {
                if (message instanceof HttpRequest) {
                    byte[] body = ((HttpRequest) message).uri().equals("/64k") ? BenchServer.BODY_64K : BenchServer.HELLO;
                    FullHttpResponse response = new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                    response.headers()
                            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                    context.write(response);
                }
            } finally {
                // The request and its (empty) content; the codec hands them over with a reference each.
                ReferenceCountUtil.release(message);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext context) {
            context.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close();
        }
    }
}
