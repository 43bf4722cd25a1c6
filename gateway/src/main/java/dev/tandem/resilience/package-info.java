@NullMarked
package dev.tandem.resilience;

import org.jspecify.annotations.NullMarked;
