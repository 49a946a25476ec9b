package dev.keel.outbox.internal;

/**
 * A parameter bound as a PostgreSQL array ({@code uuid[]}, {@code bigint[]}, {@code text[]}).
 *
 * @param elementType the SQL element type name, e.g. {@code "uuid"}
 * @param values the elements
 */
public record SqlArray(String elementType, Object[] values) {}
