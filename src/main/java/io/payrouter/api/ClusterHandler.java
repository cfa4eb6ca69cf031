package io.payrouter.api;

import io.payrouter.cluster.Agreement;
import io.payrouter.cluster.Fleet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;

/** {@code GET /admin/cluster}: the members this instance hears, their rules versions, who disagrees. */
final class ClusterHandler {
  private final Fleet fleet;

  ClusterHandler(Fleet fleet) {
    this.fleet = fleet;
  }

  void get(RoutingContext rc) {
    Fleet.View v = fleet.view();
    long now = System.currentTimeMillis();
    long newest = 0;
    for (Fleet.Member m : v.members()) if (!m.silent()) newest = Math.max(newest, m.rulesVersion());
    JsonArray members = new JsonArray();
    for (Fleet.Member m : v.members()) {
      Agreement.Behind b = v.behind().stream().filter(x -> x.instance().equals(m.instance())).findFirst().orElse(null);
      members.add(new JsonObject().put("instance", m.instance()).put("node", m.node()).put("url", m.url())
          .put("self", m.self()).put("rules_version", m.rulesVersion())
          .put("last_heard", Instant.ofEpochMilli(m.lastHeardMs()).toString())
          .put("last_heard_ms_ago", Math.max(0, now - m.lastHeardMs()))
          .put("status", m.silent() ? "silent" : b == null ? "agrees" : b.disagrees() ? "disagrees" : "catching_up")
          .put("open_circuits", new JsonArray(new ArrayList<>(m.openCircuits()))));
    }
    JsonArray disagreeing = new JsonArray();
    for (Agreement.Behind b : v.behind()) {
      if (b.disagrees()) {
        disagreeing.add(new JsonObject().put("instance", b.instance()).put("rules_version", b.version())
            .put("newest_rules_version", b.newest()).put("since", Instant.ofEpochMilli(b.sinceMs()).toString()));
      }
    }
    Json.send(rc, 200, new JsonObject().put("clustered", v.clustered()).put("answered_by", v.answeredBy())
        .put("node", v.node()).put("nodes", new JsonArray(new ArrayList<>(v.nodes())))
        .put("rules_version", v.members().get(0).rulesVersion()).put("newest_rules_version", newest)
        .put("members", members).put("disagreeing", disagreeing));
  }
}
