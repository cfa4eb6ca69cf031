package io.payrouter.routing;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * An immutable view of every provider's health at one moment, by provider name.
 *
 * @param providers health by provider name
 */
public record HealthSnapshot(Map<String, ProviderHealth> providers) {

  public HealthSnapshot {
    providers = Map.copyOf(providers);
  }

  /** A snapshot of these providers, keyed by their names. */
  public static HealthSnapshot of(Collection<ProviderHealth> health) {
    Map<String, ProviderHealth> byName = new HashMap<>();
    for (ProviderHealth h : health) byName.put(h.name(), h);
    return new HealthSnapshot(byName);
  }

  /** Health of that provider, or null when it is unknown. */
  public ProviderHealth get(String name) {
    return providers.get(name);
  }
}
