package org.dtheta.nn;

/** The data term of the training loss. */
public enum Loss {
  /** {@code -(1/k) sum T log Y} (with softmax output, computed stably from logits). */
  CROSS_ENTROPY,
  /** {@code -(1/n) sum [t log y + (1-t) log(1-y)]} (with sigmoid output, stably from logits). */
  BINARY_CROSS_ENTROPY,
  /** {@code sum (Y - T)^2} (seed 002's J; no 1/k). */
  SQUARED_ERROR
}
