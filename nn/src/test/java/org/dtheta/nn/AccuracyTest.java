package org.dtheta.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.dtheta.core.kernel.Kernels;
import org.junit.jupiter.api.Test;

/**
 * {@link Accuracy} reads a row off its logits only when no output's rounding can change its
 * largest place: rows within the margin, tied or nearly, take their outputs' first largest.
 */
class AccuracyTest {

  private static final Accuracy.RowOutput SOFTMAX =
      (logits, from, out) -> Kernels.softmaxRow(out.length, logits, from, out, 0);

  @Test
  void rowsWithinTheMarginTakeTheOutputsArgmax() {
    // softmax rounds exp(-1e-17) to 1: both outputs equal, the first is the largest output,
    // though the second logit is the largest
    double[] logits = {
        0.0, 1e-17, -5.0,
        3.0, 3.0, 1.0,
        1.0, Double.NaN, 0.0,
        -2.0, 7.5, 7.5 - 1e-3};
    double[] targets = {
        1, 0, 0,
        1, 0, 0,
        1, 0, 0,
        0, 1, 0};
    assertEquals(4 / 4.0, Accuracy.fraction(logits, 3, targets, 4, SOFTMAX), 0.0);
    double[] second = {
        0, 1, 0,
        0, 1, 0,
        0, 1, 0,
        0, 0, 1};
    assertEquals(0.0, Accuracy.fraction(logits, 3, second, 4, SOFTMAX), 0.0);
  }

  @Test
  void everyRowAgreesWithTheSoftmaxOutputs() {
    Random rnd = new Random(12);
    int k = 4000;
    int c = 10;
    double[] logits = new double[k * c];
    double[] targets = new double[k * c];
    for (int i = 0; i < k; i++) {
      double scale = i % 4 == 0 ? 1e-13 : i % 4 == 1 ? 1e3 : 1.0; // near ties, large logits
      for (int j = 0; j < c; j++) {
        logits[i * c + j] = i % 7 == 0 ? Math.floor(3 * rnd.nextDouble()) : scale * rnd.nextGaussian();
      }
      targets[i * c + rnd.nextInt(c)] = 1.0;
    }
    double[] y = new double[k * c];
    int right = 0;
    for (int i = 0; i < k; i++) {
      Kernels.softmaxRow(c, logits, i * c, y, i * c);
      right += Accuracy.argmax(y, i * c, c) == Accuracy.argmax(targets, i * c, c) ? 1 : 0;
    }
    assertEquals((double) right / k, Accuracy.fraction(logits, c, targets, k, SOFTMAX), 0.0);
  }
}
