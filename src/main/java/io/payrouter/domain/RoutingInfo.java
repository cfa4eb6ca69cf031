package io.payrouter.domain;

import java.util.List;

/** How a charge was routed (stored with the charge, rendered as {@code routing}). */
public record RoutingInfo(String rule, String strategy, long configVersion, List<String> candidates) {}
