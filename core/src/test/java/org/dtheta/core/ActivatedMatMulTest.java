package org.dtheta.core;

import static org.dtheta.core.TestVectors.gaussian;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dtheta.core.kernel.UnaryFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link Ops#matmulActivated} against the composition it fuses, {@code matmul(f(X), W)}, on a
 * small network's loss with enough rows and directions that every fixed group of rows is walked
 * in several blocks: value, gradient and Hessian products with one and with 20 directions.
 */
class ActivatedMatMulTest {

  @Test
  void matchesTheElementwiseOpThenTheProduct() {
    Random rnd = new Random(61);
    int rows = 301;
    int hidden = 64;
    int classes = 3;
    double[] x = gaussian(rnd, rows * 6);
    double[] targets = new double[rows * classes];
    for (int i = 0; i < rows; i++) {
      targets[i * classes + rnd.nextInt(classes)] = 1.0;
    }
    for (UnaryFunction f : new UnaryFunction[] {UnaryFunction.SIGMOID, UnaryFunction.TANH}) {
      Var fused = loss(x, targets, rows, hidden, classes, f, true);
      Var plain = loss(x, targets, rows, hidden, classes, f, false);
      int size = fused.tape().parameterCount();
      for (int point = 0; point < 2; point++) {
        double[] theta = gaussian(rnd, size);
        for (int i = 0; i < size; i++) {
          theta[i] *= 0.5;
        }
        double[] g1 = new double[size];
        double[] g2 = new double[size];
        double v1 = Gradients.valueAndGradient(fused, theta, g1);
        double v2 = Gradients.valueAndGradient(plain, theta, g2);
        assertTrue(Math.abs(v1 - v2) <= 1e-13 * Math.abs(v2), f + ": value");
        assertClose(g1, g2, 1e-13, f + ": gradient");
        for (int m : new int[] {1, 20}) { // 20 x 64 tangent columns: blocks of 32 rows
          double[] v = gaussian(rnd, size * m);
          double[] h1 = new double[size * m];
          double[] h2 = new double[size * m];
          Hessians.hessianMatrixProduct(fused, theta, v, m, null, h1);
          Hessians.hessianMatrixProduct(plain, theta, v, m, null, h2);
          assertClose(h1, h2, 1e-12, f + ": H V, m " + m);
        }
      }
    }
  }

  private static Var loss(double[] x, double[] targets, int rows, int hidden, int classes,
      UnaryFunction f, boolean fused) {
    Tape tape = new Tape();
    Var w1 = tape.variable(6, hidden);
    Var w2 = tape.variable(hidden, classes);
    Var a = Ops.matmul(tape.constant(x, rows, 6), w1);
    Var logits = fused ? Ops.matmulActivated(a, f, w2)
        : Ops.matmul(f == UnaryFunction.SIGMOID ? Ops.sigmoid(a) : Ops.tanh(a), w2);
    return Ops.softmaxCrossEntropy(logits, tape.constant(targets, rows, classes));
  }

  private static void assertClose(double[] got, double[] want, double tolerance, String what) {
    double scale = 0;
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      scale = Math.max(scale, Math.abs(want[i]));
      worst = Math.max(worst, Math.abs(got[i] - want[i]));
    }
    assertTrue(worst <= tolerance * scale, what + ": relative difference " + worst / scale);
  }
}
