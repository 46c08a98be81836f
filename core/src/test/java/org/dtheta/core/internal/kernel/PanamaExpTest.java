package org.dtheta.core.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Vector API kernels' own exp against {@link StrictMath#exp} and {@link Math#exp}. */
class PanamaExpTest {

  @Test
  void withinOneUlpOverTheSigmoidRange() {
    assumeTrue(KernelProvider.panama().isPresent(), "the Vector API module is not present");
    int n = 400_000;
    double[] x = new double[n];
    Random rnd = new Random(11);
    double[] special = {0.0, -0.0, -Double.MIN_VALUE, -1e-300, -1e-17, -0.5 * Math.log(2),
        -Math.log(2), -1.5 * Math.log(2), -1.0, -20.0, -699.99, -700.0};
    for (int i = 0; i < n; i++) {
      switch (i % 4) {
        case 0: x[i] = -700 * rnd.nextDouble(); break;
        case 1: x[i] = -rnd.nextDouble(); break;
        case 2: x[i] = -Math.scalb(rnd.nextDouble(), -rnd.nextInt(60)); break;
        default: x[i] = i < 4 * special.length ? special[i / 4] : -40 * rnd.nextDouble();
      }
    }
    double[] y = new double[n];
    PanamaKernels.exp(n, x, 0, y, 0);
    double worstStrict = 0;
    double worstMath = 0;
    for (int i = 0; i < n; i++) {
      double strict = StrictMath.exp(x[i]);
      worstStrict = Math.max(worstStrict, Math.abs(y[i] - strict) / Math.ulp(strict));
      double math = Math.exp(x[i]);
      worstMath = Math.max(worstMath, Math.abs(y[i] - math) / Math.ulp(math));
    }
    assertTrue(worstStrict <= 1.0, "off StrictMath.exp by " + worstStrict + " ulp");
    assertTrue(worstMath <= 1.0, "off Math.exp by " + worstMath + " ulp");
  }

  @Test
  void exactWhereTheResultIsExact() {
    assumeTrue(KernelProvider.panama().isPresent(), "the Vector API module is not present");
    double[] x = {0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0};
    double[] y = new double[x.length];
    PanamaKernels.exp(x.length, x, 0, y, 0);
    for (double v : y) {
      assertEquals(1.0, v);
    }
  }
}
