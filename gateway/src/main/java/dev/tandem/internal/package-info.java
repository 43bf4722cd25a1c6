@NullMarked
package dev.tandem.internal;

import org.jspecify.annotations.NullMarked;
