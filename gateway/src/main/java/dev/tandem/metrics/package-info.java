@NullMarked
package dev.tandem.metrics;

import org.jspecify.annotations.NullMarked;
