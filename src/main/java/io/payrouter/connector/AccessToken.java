package io.payrouter.connector;

/** A bearer token a PSP issued (Dintero's client-credentials token) and when it stops working. */
public record AccessToken(String value, long expiresAtEpochMs) {}
