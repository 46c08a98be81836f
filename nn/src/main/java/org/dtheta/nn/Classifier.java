package org.dtheta.nn;

/**
 * An {@link Objective} that is a classifier's training loss, so that training can report how
 * many samples it gets right, whatever the network's depth: {@link TwoLayerNet} and {@link Mlp}.
 */
public interface Classifier extends Objective {

  /** The network's outputs on {@code samples}, {@code k x outputs} row-major (probabilities). */
  double[] predict(double[] theta, Dataset samples);

  /** The fraction of {@code samples} classified right (largest output against largest target). */
  double accuracy(double[] theta, Dataset samples);
}
