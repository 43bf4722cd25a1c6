@NullMarked
package dev.tandem.routing;

import org.jspecify.annotations.NullMarked;
