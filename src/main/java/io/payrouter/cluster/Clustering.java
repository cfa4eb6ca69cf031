package io.payrouter.cluster;

import io.payrouter.config.RouterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/** Builds a clustered Vert.x: Hazelcast per {@link HazelcastSettings}, the event bus on {@code cluster.host}. */
public final class Clustering {
  private Clustering() {}

  /**
   * Joins the cluster. Blocking set-up (Hazelcast's configuration is read from the class path):
   * call from a plain thread, never an event loop.
   */
  public static Future<Vertx> start(VertxBuilder builder, VertxOptions options, RouterConfig.Cluster c) {
    options.setEventBusOptions(new EventBusOptions().setHost(c.host()).setPort(0));
    return builder.with(options).withClusterManager(new HazelcastClusterManager(HazelcastSettings.of(c)))
        .buildClustered();
  }
}
