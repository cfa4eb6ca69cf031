package io.payrouter.common;

/** One problem with one field of a request: rendered in problem+json {@code errors[]}. */
public record FieldError(String field, String message) {}
