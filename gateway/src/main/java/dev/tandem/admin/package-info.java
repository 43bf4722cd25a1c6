@NullMarked
package dev.tandem.admin;

import org.jspecify.annotations.NullMarked;
