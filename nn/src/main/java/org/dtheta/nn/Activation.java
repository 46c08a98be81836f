package org.dtheta.nn;

/** Hidden-layer activation of a two-layer network. */
public enum Activation {
  /** Logistic sigmoid (seeds 000, 001, 004). */
  SIGMOID,
  /** Hyperbolic tangent (seed 002). */
  TANH,
  /** Rectified linear unit (seed 003). */
  RELU
}
