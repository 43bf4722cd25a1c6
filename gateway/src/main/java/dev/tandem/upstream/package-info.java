@NullMarked
package dev.tandem.upstream;

import org.jspecify.annotations.NullMarked;
