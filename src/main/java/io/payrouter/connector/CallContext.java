package io.payrouter.connector;

import io.payrouter.config.ProviderConfig;

/**
 * The provider a flow runs against and what the dispatcher holds for it.
 *
 * @param provider the provider's configuration (base URL, credentials, options)
 * @param accessToken the cached bearer token from {@link Connector#authenticate}, or null
 */
public record CallContext(ProviderConfig provider, String accessToken) {}
