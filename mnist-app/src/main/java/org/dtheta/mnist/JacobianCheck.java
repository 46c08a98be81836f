package org.dtheta.mnist;

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.dtheta.nn.Block;
import org.dtheta.nn.Mlp;
import org.dtheta.nn.ParamLayout;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.NpyReader;

/**
 * Checks a written update Jacobian against the reference method: sampled rows of the file
 * against {@code Df e_j} from batched Hessian-vector products. Row {@code j} of the file equals
 * column {@code j} only because Df is symmetric, so the check covers symmetry too. The identity
 * is removed before comparing ({@code (e_j - row) / alpha} is a row of Hess L), so agreement
 * means agreement of the Hessian, not of the ones on the diagonal.
 */
final class JacobianCheck {

  /** The agreement the two exact methods reach in double precision, with room to spare. */
  static final double TOLERANCE = 1e-10;

  private JacobianCheck() {}

  /** The outcome: the rows compared and the largest difference relative to the largest entry. */
  record Result(int[] rows, double relativeDifference) {
    boolean passed() {
      return relativeDifference <= TOLERANCE;
    }

    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT,
          "%d sampled rows %s against Hessian-vector products: max relative difference %.2e (%s)",
          rows.length, Arrays.toString(rows), relativeDifference,
          passed() ? "ok, <= " + TOLERANCE : "FAILED, > " + TOLERANCE);
    }
  }

  /**
   * {@code count} rows, seeded: one from each parameter block first (so every block of the
   * matrix is touched), the rest uniform.
   */
  static int[] sampleRows(ParamLayout layout, int count, long seed) {
    Block[] blocks = Arrays.stream(Block.values()).filter(b -> layout.length(b) > 0).toArray(Block[]::new);
    int[] offsets = Arrays.stream(blocks).mapToInt(layout::offset).toArray();
    int[] lengths = Arrays.stream(blocks).mapToInt(layout::length).toArray();
    return sampleRows(offsets, lengths, layout.size(), count, seed);
  }

  /**
   * As {@link #sampleRows(ParamLayout, int, long)} for a net of any depth: W1, b1, ..., W(L+1),
   * b(L+1) (for one hidden layer the same blocks, so the same rows).
   */
  static int[] sampleRows(Mlp.Layout layout, int count, long seed) {
    int blocks = 2 * layout.layers();
    int[] offsets = new int[blocks];
    int[] lengths = new int[blocks];
    for (int l = 1; l <= layout.layers(); l++) {
      offsets[2 * l - 2] = layout.weightOffset(l);
      lengths[2 * l - 2] = layout.weightLength(l);
      offsets[2 * l - 1] = layout.biasOffset(l);
      lengths[2 * l - 1] = layout.biasLength(l);
    }
    return sampleRows(offsets, lengths, layout.size(), count, seed);
  }

  private static int[] sampleRows(int[] offsets, int[] lengths, int p, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] rows = new int[count];
    for (int i = 0; i < count; i++) {
      rows[i] = i < offsets.length ? offsets[i] + random.nextInt(lengths[i]) : random.nextInt(p);
    }
    return rows;
  }

  /** Compares the given rows of {@code file} (a written Df) with {@code Df e_j} by the engine. */
  static Result check(UpdateMap map, double[] theta, NpyReader file, int[] rows) throws IOException {
    int p = map.dimension();
    int m = rows.length;
    file.requireShape("update Jacobian", p, p);
    double[] units = new double[p * m];
    for (int d = 0; d < m; d++) {
      units[rows[d] * m + d] = 1.0;
    }
    double[] reference = new double[p * m];
    map.jacobianTimes(theta, units, m, reference);
    double worst = 0.0;
    double scale = Double.MIN_NORMAL;
    for (int d = 0; d < m; d++) {
      double[] row = file.readRow(rows[d]);
      for (int i = 0; i < p; i++) {
        double identity = i == rows[d] ? 1.0 : 0.0;
        double expected = identity - reference[i * m + d];
        worst = Math.max(worst, Math.abs((identity - row[i]) - expected));
        scale = Math.max(scale, Math.abs(expected));
      }
    }
    return new Result(rows, worst / scale);
  }
}
