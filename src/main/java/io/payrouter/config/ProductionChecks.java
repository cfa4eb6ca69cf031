package io.payrouter.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What production mode refuses beyond the demo keys: a credential that is one of the PSP
 * simulators' defaults (the shipped {@code config/router.yaml} falls back to them when a variable
 * is unset), a public URL PSPs cannot reach (unless the rehearsal setting
 * {@code http.allow_loopback_public_url} lets a loopback one through), and PayCore's test mode
 * unless asked for. The
 * simulators' values are listed here, not imported: config never depends on the simulator package
 * ({@code ConfigLoaderTest} proves the list covers every credential a simulator accepts).
 */
final class ProductionChecks {
  private ProductionChecks() {}

  /** Every credential value a PSP simulator accepts, as in {@code config/router.yaml}'s defaults. */
  static final Set<String> SIMULATOR_CREDENTIALS = Set.of(
      "revio_sim_secret_key",
      "paycore_sim_account", "paycore_sim_api_key", "paycore_sim_callback_secret",
      "fatora_sim_api_key", "fatora_sim_webhook_secret",
      "dintero_sim_client_id", "dintero_sim_client_secret", "dintero_sim_signature_secret",
      "test-proj_sim", "key_sandbox_sim_secret");

  static boolean isSimulatorCredential(String value) {
    return value != null && SIMULATOR_CREDENTIALS.contains(value.trim());
  }

  /** Every provider credential equal to a simulator default (the value itself is never repeated). */
  static void credentials(ProviderConfig p, List<String> problems) {
    p.credentials().forEach((k, v) -> {
      if (isSimulatorCredential(v)) {
        problems.add("providers." + p.name() + ".credentials." + k
            + ": a PSP simulator default is refused in production mode (set the real credential)");
      }
    });
  }

  /** PayCore invoices go out with {@code test_mode} (default true) unless it is off or allowed. */
  static void payCoreTestMode(ProviderConfig p, List<String> problems) {
    if (!"paycore".equals(p.type())) return;
    Object mode = p.options().getValue("test_mode");
    boolean testMode = mode instanceof Boolean b ? b : !(mode instanceof String s && s.trim().equalsIgnoreCase("false"));
    Object allow = p.options().getValue("allow_test_mode");
    boolean allowed = Boolean.TRUE.equals(allow) || (allow instanceof String s && s.trim().equalsIgnoreCase("true"));
    if (testMode && !allowed) {
      problems.add("providers." + p.name() + ".options.test_mode: PayCore test mode is refused in production mode"
          + (mode == null ? " (it defaults to true)" : "")
          + "; set test_mode: false, or allow_test_mode: true to use PayCore's test environment on purpose");
    }
  }

  /** PSPs send webhooks to {@code http.public_url}: it must be set and not loopback. */
  static void publicUrl(String url, List<String> problems) {
    publicUrl(url, false, problems);
  }

  /**
   * As {@link #publicUrl(String, List)}; with {@code allowLoopback} (the rehearsal setting
   * {@code http.allow_loopback_public_url}, never on by default) a loopback host is let through, so
   * several instances behind a balancer on one machine can receive the simulators' webhooks. A
   * wildcard address (0.0.0.0, ::) is refused even then: nothing can send to it.
   */
  static void publicUrl(String url, boolean allowLoopback, List<String> problems) {
    if (url == null || url.isBlank()) {
      problems.add("http.public_url: required in production mode (the default is this host's loopback address,"
          + " which PSP webhooks cannot reach)");
      return;
    }
    String host;
    try {
      URI u = new URI(url.trim());
      host = u.getHost() != null ? u.getHost() : hostOf(u.getRawAuthority());
      if (host == null || host.isEmpty() || u.getScheme() == null
          || !u.getScheme().toLowerCase(Locale.ROOT).matches("https?")) {
        problems.add("http.public_url: an http(s) URL with a host is required");
        return;
      }
    } catch (URISyntaxException e) {
      problems.add("http.public_url: an http(s) URL with a host is required");
      return;
    }
    if (allowLoopback && isLoopbackOrAny(host) && !isWildcard(host)) return;
    if (allowLoopback && isWildcard(host)) {
      problems.add("http.public_url: " + host + " is a wildcard address, which nothing can send webhooks to"
          + " (http.allow_loopback_public_url lets only a loopback address through)");
      return;
    }
    if (isLoopbackOrAny(host)) {
      problems.add("http.public_url: " + host + " is a loopback or wildcard address, which PSP webhooks cannot reach"
          + " (set the router's public URL)");
    }
  }

  /** The host of an authority java.net.URI would not call a host name ("127.1", "2130706433"). */
  private static String hostOf(String authority) {
    if (authority == null) return null;
    String a = authority.substring(authority.lastIndexOf('@') + 1);
    if (a.startsWith("[")) return a.contains("]") ? a.substring(0, a.indexOf(']') + 1) : null;
    int colon = a.lastIndexOf(':');
    return colon < 0 ? a : a.substring(0, colon);
  }

  /**
   * localhost (and *.localhost), 127.0.0.0/8 in any IPv4 literal form a resolver accepts (127.1,
   * 2130706433, 0x7f.0.0.1), 0.0.0.0, ::1, :: and IPv4-mapped forms of these. No DNS lookup.
   */
  static boolean isLoopbackOrAny(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
    if (h.equals("localhost") || h.endsWith(".localhost")) return true;
    if (h.contains(":")) return ipv6LoopbackOrAny(h);
    long v4 = ipv4(h);
    return v4 >= 0 && ((v4 >>> 24) == 127 || v4 == 0);
  }

  /** 0.0.0.0 in any IPv4 literal form, ::, and the IPv4-mapped or compatible forms of 0.0.0.0. */
  static boolean isWildcard(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
    if (h.contains(":")) {
      int zone = h.indexOf('%');
      if (zone >= 0) h = h.substring(0, zone);
      if (!h.matches("[0-9a-f:.]+")) return false;
      try {
        byte[] b = java.net.InetAddress.getByName(h).getAddress();
        for (int i = 0; i < b.length; i++) {
          if (b[i] != 0 && !(b.length == 16 && (i == 10 || i == 11) && b[i] == (byte) 0xff)) return false;
        }
        return true;
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
    return ipv4(h) == 0;
  }

  private static boolean ipv6LoopbackOrAny(String h) {
    int zone = h.indexOf('%');
    if (zone >= 0) h = h.substring(0, zone);
    if (!h.matches("[0-9a-f:.]+")) return false;
    try {
      // A literal: InetAddress parses it without any lookup.
      var a = java.net.InetAddress.getByName(h);
      if (a.isLoopbackAddress() || a.isAnyLocalAddress()) return true;
      byte[] b = a.getAddress();
      if (b.length == 16) {
        boolean mapped = true;
        for (int i = 0; i < 10; i++) mapped &= b[i] == 0;
        mapped &= (b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0);
        if (mapped) return b[12] == 127 || (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 0);
      }
      return false;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** An IPv4 literal as inet_aton reads it (1 to 4 parts, decimal, 0x hex or 0 octal), or -1. */
  static long ipv4(String h) {
    if (h.isEmpty() || !h.matches("[0-9a-fx.]+")) return -1;
    String[] parts = h.split("\\.", -1);
    if (parts.length > 4) return -1;
    long[] n = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      try {
        if (p.startsWith("0x")) n[i] = Long.parseLong(p.substring(2), 16);
        else if (p.length() > 1 && p.startsWith("0")) n[i] = Long.parseLong(p.substring(1), 8);
        else n[i] = Long.parseLong(p);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    long v = 0;
    for (int i = 0; i < n.length - 1; i++) {
      if (n[i] > 255) return -1;
      v |= n[i] << (24 - 8 * i);
    }
    long last = n[n.length - 1];
    if (last >= 1L << (8 * (5 - n.length))) return -1;
    return v | last;
  }
}
