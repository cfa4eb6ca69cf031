package io.payrouter.simulator;

/**
 * The credentials each simulator accepts. {@code config/router.yaml} uses the same values as the
 * defaults of its {@code ${ENV:-default}} placeholders, so the embedded default works out of the
 * box and a real deployment only swaps base_url and credentials.
 */
public final class SimCredentials {
  private SimCredentials() {}

  public static final String REVIO_SECRET_KEY = "revio_sim_secret_key";
  public static final String REVIO_BRAND_ID = "5c523a6d-cad0-462e-b9bb-79b16495f3b9";

  public static final String PAYCORE_ACCOUNT_ID = "paycore_sim_account";
  public static final String PAYCORE_API_KEY = "paycore_sim_api_key";
  public static final String PAYCORE_CALLBACK_SECRET = "paycore_sim_callback_secret";

  public static final String FATORA_API_KEY = "fatora_sim_api_key";

  public static final String DINTERO_ACCOUNT_ID = "T11223344";
  public static final String DINTERO_CLIENT_ID = "dintero_sim_client_id";
  public static final String DINTERO_CLIENT_SECRET = "dintero_sim_client_secret";
  public static final String DINTERO_SIGNATURE_SECRET = "dintero_sim_signature_secret";

  public static final String PROCESSOUT_PROJECT_ID = "test-proj_sim";
  public static final String PROCESSOUT_PROJECT_SECRET = "key_sandbox_sim_secret";
}
