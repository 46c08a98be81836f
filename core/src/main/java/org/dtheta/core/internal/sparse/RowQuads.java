package org.dtheta.core.internal.sparse;

import org.dtheta.core.kernel.Parallel;
import org.dtheta.core.sparse.SparseKernels;

/**
 * Fixed quads of neighbouring sparse rows ({@code 4t .. 4t+3}) gathered together ({@link
 * SparseKernels#gatherRowQuads}): one pass over the union of the four index lists reads each
 * row of the dense operand once for four output rows. Built for the columns of a blocked
 * transpose of image data, whose neighbouring pixels light nearly the same images: the gathers
 * of wide {@code X^T B} products stream their dense panel from L2, and a quad reads it once per
 * union entry where pairs ({@link RowPairs}) read it once per pair's union entry.
 *
 * <p>Rows are read from the compressed-row layout of {@link RowPairs}: {@code groups} groups of
 * {@code rowsPerGroup} rows, row {@code r} of group {@code g} holding the entries {@code
 * [pointers[g stride + r], pointers[g stride + r + 1])}, indices strictly increasing. A quad is
 * kept only when it is full enough: its four lists hold at least {@link #MIN_FILL} of its
 * {@code 4 x union} weights (the rest are zero multiply-adds); the rows of other quads, and
 * the last rows when {@code rowsPerGroup} is not a multiple of 4, are left to single or paired
 * gathers. A quad's entries are the union in increasing order, each with four weights (rows
 * {@code 4t} to {@code 4t+3}, zero where a row has no entry), so each output row sees its own
 * terms in the order of its single gather with exact zero terms in between: the same finite
 * sums (a zero may lose its sign).
 */
public final class RowQuads {

  /** Rows per quad. */
  public static final int ROWS = 4;
  /** A quad is kept when its lists fill at least this fraction of its {@code 4 x union} weights. */
  static final double MIN_FILL = 0.5;
  /** Below this many groups the quads are built on the calling thread. */
  private static final int PARALLEL_GROUPS = 8;

  private final int quadsPerGroup;
  /** Per quad of every group: its first union entry, or -1 when the quad is not kept. */
  private final int[] first;
  private final int[] count;
  /** The union entries' indices, quad after quad. */
  public final int[] indices;
  /** Four per union entry: the weights of the quad's rows in order. */
  public final double[] weights;

  /** The quads of every group of the layout described in the class comment. */
  public RowQuads(int[] pointers, int[] indices, double[] values, int groups, int stride,
      int rowsPerGroup) {
    quadsPerGroup = rowsPerGroup / ROWS;
    int quads = Math.multiplyExact(groups, quadsPerGroup);
    first = new int[quads];
    count = new int[quads];
    int bands = groups < PARALLEL_GROUPS ? 1 : Math.min(groups, 4 * Parallel.threads());
    // First the union sizes (kept quads only), then each quad merged at its prefix offset: the
    // same arrays whatever the bands.
    Parallel.forEachChunk(bands, band -> {
      for (int g = Parallel.bandStart(groups, band, bands);
          g < Parallel.bandStart(groups, band + 1, bands); g++) {
        for (int t = 0; t < quadsPerGroup; t++) {
          int base = g * stride + ROWS * t;
          int entries = pointers[base + ROWS] - pointers[base];
          int union = merge(pointers, indices, values, base, null, null, 0);
          count[g * quadsPerGroup + t] =
              union > 0 && entries >= MIN_FILL * ROWS * union ? union : 0;
        }
      }
    });
    long total = 0;
    for (int q = 0; q < quads; q++) {
      first[q] = count[q] > 0 ? Math.toIntExact(total) : -1;
      total += count[q];
    }
    this.indices = new int[Math.toIntExact(total)];
    this.weights = new double[Math.toIntExact(ROWS * total)];
    Parallel.forEachChunk(bands, band -> {
      for (int g = Parallel.bandStart(groups, band, bands);
          g < Parallel.bandStart(groups, band + 1, bands); g++) {
        for (int t = 0; t < quadsPerGroup; t++) {
          int q = g * quadsPerGroup + t;
          if (first[q] >= 0) {
            merge(pointers, indices, values, g * stride + ROWS * t, this.indices, weights, first[q]);
          }
        }
      }
    });
  }

  /** Whether row {@code r} of group {@code g} is gathered in its quad. */
  public boolean inQuad(int g, int r) {
    int t = r / ROWS;
    return t < quadsPerGroup && first[g * quadsPerGroup + t] >= 0;
  }

  /** Whether rows {@code 4t .. 4t+3} of group {@code g} are gathered as a quad. */
  public boolean kept(int g, int t) {
    return first[g * quadsPerGroup + t] >= 0;
  }

  /** The first union entry of quad {@code t} of group {@code g} (a kept one). */
  public int first(int g, int t) {
    return first[g * quadsPerGroup + t];
  }

  /** The union entries of quad {@code t} of group {@code g} (0 when not kept). */
  public int count(int g, int t) {
    return count[g * quadsPerGroup + t];
  }

  /** Union entries over all kept quads, for tests and logs. */
  public int unionEntries() {
    return indices.length;
  }

  /**
   * The union of the four lists of rows {@code base .. base+3} (pointer indices): written from
   * {@code at} when {@code toIndices} is not null, counted either way.
   */
  private static int merge(int[] pointers, int[] indices, double[] values, int base,
      int[] toIndices, double[] toWeights, int at) {
    int e0 = pointers[base];
    int e1 = pointers[base + 1];
    int e2 = pointers[base + 2];
    int e3 = pointers[base + 3];
    int end0 = e1;
    int end1 = e2;
    int end2 = e3;
    int end3 = pointers[base + 4];
    int n = 0;
    while (e0 < end0 || e1 < end1 || e2 < end2 || e3 < end3) {
      int i0 = e0 < end0 ? indices[e0] : Integer.MAX_VALUE;
      int i1 = e1 < end1 ? indices[e1] : Integer.MAX_VALUE;
      int i2 = e2 < end2 ? indices[e2] : Integer.MAX_VALUE;
      int i3 = e3 < end3 ? indices[e3] : Integer.MAX_VALUE;
      int i = Math.min(Math.min(i0, i1), Math.min(i2, i3));
      if (toIndices != null) {
        int w = ROWS * (at + n);
        toIndices[at + n] = i;
        toWeights[w] = i0 == i ? values[e0] : 0.0;
        toWeights[w + 1] = i1 == i ? values[e1] : 0.0;
        toWeights[w + 2] = i2 == i ? values[e2] : 0.0;
        toWeights[w + 3] = i3 == i ? values[e3] : 0.0;
      }
      e0 += i0 == i ? 1 : 0;
      e1 += i1 == i ? 1 : 0;
      e2 += i2 == i ? 1 : 0;
      e3 += i3 == i ? 1 : 0;
      n++;
    }
    return n;
  }
}
