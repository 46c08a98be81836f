package org.dtheta.core;

import java.util.Random;

/** Random test vectors shared by the core tests of every package. */
public final class TestVectors {

  private TestVectors() {}

  /** {@code n} independent standard normal draws from {@code rnd}, in order. */
  public static double[] gaussian(Random rnd, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextGaussian();
    }
    return v;
  }
}
