/** Implementation of {@code dev.keel.ratelimit}: not API, free to change. */
package dev.keel.ratelimit.internal;
