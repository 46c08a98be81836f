package org.dtheta.nn;

/** What the output layer applies to its pre-activation {@code A2 = Z1 W2 + 1 b2}. */
public enum OutputLayer {
  /** Row softmax (seeds 000-003). */
  SOFTMAX,
  /** Entrywise sigmoid (seed 004). */
  SIGMOID,
  /** No function: {@code Y = A2}. */
  IDENTITY
}
