@NullMarked
package dev.tandem.traffic;

import org.jspecify.annotations.NullMarked;
