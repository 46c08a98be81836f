package org.dtheta.nn;

import org.dtheta.core.kernel.Kernels;

/**
 * The L2 term {@code (l2/(2k)) sum ||W||^2} over some weight blocks of theta (biases excluded),
 * in closed form: it does not depend on the data, so it is added once, outside the batch parts.
 * Its gradient is its Hessian times theta.
 */
final class WeightDecay {

  private final double l2;
  private final int k;
  private final int[] offsets;
  private final int[] lengths;

  /** The term with coefficient {@code l2} over a batch of {@code k} samples on the given blocks. */
  WeightDecay(double l2, int k, int[] offsets, int[] lengths) {
    if (offsets.length != lengths.length) {
      throw new IllegalArgumentException(
          offsets.length + " block offsets for " + lengths.length + " lengths");
    }
    this.l2 = l2;
    this.k = k;
    this.offsets = offsets.clone();
    this.lengths = lengths.clone();
  }

  /** {@code (l2/(2k)) sum ||W||^2}, summed block by block. */
  double penalty(double[] theta) {
    if (l2 == 0) {
      return 0;
    }
    double sum = 0;
    for (int b = 0; b < offsets.length; b++) {
      sum += Kernels.dot(lengths[b], theta, offsets[b], theta, offsets[b]);
    }
    return 0.5 * l2 / k * sum;
  }

  /** {@code out += H_L2 V} for {@code m} directions: {@code l2/k} on every weight, 0 elsewhere. */
  void addHessianTimes(double[] v, int m, double[] out) {
    if (l2 == 0) {
      return;
    }
    double h = l2 / k;
    for (int b = 0; b < offsets.length; b++) {
      int from = offsets[b] * m;
      Kernels.axpy(lengths[b] * m, h, v, from, out, from);
    }
  }
}
