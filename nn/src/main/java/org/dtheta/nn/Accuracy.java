package org.dtheta.nn;

/**
 * The fraction of samples classified right, read off the logits for outputs that keep their
 * order (softmax, identity), without computing every output: a row whose largest logit leads
 * every other by more than {@link #MARGIN} (relative to the logit, at least 1) has its largest
 * output at the same place, because the output's rounding (a subtraction, {@code exp} to an ulp
 * and one scaling for the softmax) cannot close a gap that wide. Only the other rows, near ties,
 * compute their outputs (with the caller's own row kernel, as its {@code predict} does) and take
 * the first largest, so the result is the one from the outputs, bit for bit.
 */
final class Accuracy {

  /** The lead, relative to the largest logit and at least 1, that decides a row from its logits. */
  static final double MARGIN = 1e-9;

  private Accuracy() {}

  /** A network's outputs of one row from its logits ({@code c} of each, into {@code out[0, c)}). */
  @FunctionalInterface
  interface RowOutput {
    void apply(double[] logits, int from, double[] out);
  }

  /**
   * The fraction of the {@code k} rows of {@code logits} ({@code k x c}) whose largest output
   * ({@code output}) is at their largest target.
   */
  static double fraction(double[] logits, int c, double[] targets, int k, RowOutput output) {
    double[] row = new double[c];
    int right = 0;
    for (int i = 0; i < k; i++) {
      int from = i * c;
      int best = argmax(logits, from, c);
      if (!clearLead(logits, from, c, best)) {
        output.apply(logits, from, row);
        best = argmax(row, 0, c);
      }
      right += best == argmax(targets, from, c) ? 1 : 0;
    }
    return (double) right / k;
  }

  /** The first largest of {@code x[from, from + n)}, relative to {@code from}. */
  static int argmax(double[] x, int from, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) {
      if (x[from + j] > x[from + best]) {
        best = j;
      }
    }
    return best;
  }

  /** Whether logit {@code best} leads every other by more than the margin (false with a NaN). */
  private static boolean clearLead(double[] logits, int from, int c, int best) {
    double top = logits[from + best];
    double gap = MARGIN * Math.max(1.0, Math.abs(top));
    for (int j = 0; j < c; j++) {
      if (j != best && !(top - logits[from + j] > gap)) {
        return false;
      }
    }
    return true;
  }
}
