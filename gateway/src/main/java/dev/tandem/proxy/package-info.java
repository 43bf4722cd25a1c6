@NullMarked
package dev.tandem.proxy;

import org.jspecify.annotations.NullMarked;
