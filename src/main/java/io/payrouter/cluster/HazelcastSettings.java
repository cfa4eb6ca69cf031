package io.payrouter.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.payrouter.config.RouterConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

/**
 * The Hazelcast configuration of a clustered router: Vert.x's own map settings
 * ({@link ConfigUtil#loadConfig()}), with TCP/IP join to the configured members only (multicast
 * and auto-detection off), bound to {@code cluster.host} alone (not every address), no phone-home,
 * and a member that stops answering declared gone after a few seconds (Hazelcast's default is a
 * minute) so the others see it leave soon; its charges are taken over by the database's
 * heartbeat rules, not by this. A member split away by a pause is merged back within seconds.
 */
public final class HazelcastSettings {
  /** The cluster name: members of another router fleet (or another product) on the same ports never join. */
  public static final String CLUSTER_NAME = "payment-router";

  private HazelcastSettings() {}

  /** Blocking (reads Vert.x's default XML from the class path): call at start, off any event loop. */
  public static Config of(RouterConfig.Cluster c) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(CLUSTER_NAME);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // A member paused past the heartbeat timeout (a GC pause, a frozen VM, SIGSTOP) is removed and,
    // once it runs again, forms a cluster of its own; Hazelcast merges the two only when its
    // split-brain check runs: by default 300 s after start, then every 120 s. Until then the
    // shared changes made on one side do not reach the other by the event bus (the database check
    // in Application.fleet still brings rules and flags). Look for a split every 5 s instead.
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    NetworkConfig net = config.getNetworkConfig();
    net.setPort(c.port()).setPortAutoIncrement(false);
    net.getInterfaces().setEnabled(true).clear().addInterface(c.host());
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(c.members());
    return config;
  }
}
