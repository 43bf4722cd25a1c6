/**
 * The typed model of a Tandem gateway's configuration: HOCON in, immutable records out.
 *
 * <p>{@link dev.tandem.config.ConfigLoader} is the only entry point. It layers environment overrides over the
 * user's file over {@code reference.conf}, validates everything at once and either returns a
 * {@link dev.tandem.config.GatewayConfig} or throws a {@link dev.tandem.config.ConfigValidationException} that
 * lists every problem with its path, value origin and the fix.
 */
@NullMarked
package dev.tandem.config;

import org.jspecify.annotations.NullMarked;
