package org.dtheta.core.sparse;

import java.util.Arrays;

/**
 * Sparse weighted Gram products against per-row features: for a sparse {@code k x n} matrix
 * {@code A} and dense features {@code F} ({@code k x width}, one row per row of {@code A}), the
 * slice of column {@code j} is
 *
 * <pre>
 *   G_j[l, :] = sum_i A[i,j] A[i,l] F[i, :]        (l = 0 .. n-1)
 * </pre>
 *
 * This is the Kronecker-structured block of a two-layer network's Hessian: with {@code A} the
 * data (samples by pixels) and {@code F[i]} the vectorised per-sample curvature {@code M_i}, the
 * {@code (j, l)} block of the first-layer Hessian is {@code G_j[l]}. Only samples with
 * {@code A[i,j] != 0} and pixels {@code l} lit in them are visited: the cost is
 * {@code sum_{i: A[i,j] != 0} nnz(row i) * width} multiply-adds.
 *
 * <p>How: the samples of column {@code j} are taken in groups of about a core's L2 cache of
 * feature rows; within a group the (sample, weight) pairs are sorted by
 * pixel {@code l}, and each output row {@code G_j[l]} is then one {@link
 * SparseKernels#gatherRows} call that keeps its block of the output in registers while
 * summing the group's feature rows. Each output row is thus loaded and stored once per group
 * instead of once per sample.
 *
 * <p>Immutable and thread-safe; each thread brings its own {@link Workspace}.
 */
public final class SparseGram {

  /**
   * Feature rows per group: about 1 MiB of them (a core's L2), but 64 to 512 samples, so that
   * each output row gathers a list long enough to pay for loading and storing it. (Measured on
   * random MNIST-density data: longer lists beat a group that fits L2 exactly.)
   */
  private static final int GROUP_DOUBLES = 1 << 17;
  private static final int GROUP_MIN = 64;
  private static final int GROUP_MAX = 512;

  private final CsrMatrix a;
  private final CsrMatrix byColumn;
  private final double[] features;
  private final int width;
  private final int groupSize;
  private final int maxRowLength;

  /**
   * Prepares the products for {@code a} and features {@code features} ({@code a.rows() x width},
   * row-major; kept, not copied).
   */
  public SparseGram(CsrMatrix a, double[] features, int width) {
    if (width < 1 || features.length != (long) a.rows() * width) {
      throw new IllegalArgumentException(
          "SparseGram: features have " + features.length + " entries, expected " + a.rows() + " x " + width);
    }
    this.a = a;
    this.byColumn = a.transpose();
    this.features = features;
    this.width = width;
    this.groupSize = Math.max(GROUP_MIN, Math.min(GROUP_MAX, GROUP_DOUBLES / width));
    int longest = 0;
    for (int i = 0; i < a.rows(); i++) {
      longest = Math.max(longest, a.rowLength(i));
    }
    this.maxRowLength = longest;
  }

  /** Width of a feature row, and of an output row. */
  public int width() {
    return width;
  }

  /** The number of samples with a nonzero in column {@code j}. */
  public int columnCount(int j) {
    return byColumn.rowLength(j);
  }

  /** Multiply-adds {@link #column} does for column {@code j} (for progress and scheduling). */
  public long columnWork(int j) {
    long entries = 0;
    for (int e = byColumn.rowPointers[j]; e < byColumn.rowPointers[j + 1]; e++) {
      entries += a.rowLength(byColumn.columnIndices[e]);
    }
    return entries * width;
  }

  /** Scratch space for one thread. */
  public Workspace newWorkspace() {
    return new Workspace(a.cols(), groupSize * Math.max(1, maxRowLength));
  }

  /**
   * Writes {@code G_j} into {@code out} ({@code a.cols() x width}, row-major, from offset 0):
   * every row is overwritten, rows of pixels never lit together with {@code j} become zero.
   */
  public void column(int j, Workspace ws, double[] out) {
    int n = a.cols();
    if (j < 0 || j >= n) {
      throw new IndexOutOfBoundsException("SparseGram column " + j + " outside [0, " + n + ")");
    }
    if (out.length < (long) n * width) {
      throw new IllegalArgumentException(
          "SparseGram: output has " + out.length + " entries, needs " + n + " x " + width);
    }
    SparseKernels k = SparseKernels.selected();
    int stamp = ws.nextStamp();
    int first = byColumn.rowPointers[j];
    int last = byColumn.rowPointers[j + 1];
    for (int g0 = first; g0 < last; g0 += groupSize) {
      int g1 = Math.min(last, g0 + groupSize);
      int touched = 0;
      // Count the entries of each pixel l in this group of samples.
      for (int e = g0; e < g1; e++) {
        int i = byColumn.columnIndices[e];
        for (int f = a.rowPointers[i]; f < a.rowPointers[i + 1]; f++) {
          int l = a.columnIndices[f];
          if (ws.count[l]++ == 0) {
            ws.touched[touched++] = l;
          }
        }
      }
      int pos = 0;
      for (int t = 0; t < touched; t++) {
        int l = ws.touched[t];
        ws.start[l] = pos;
        ws.next[l] = pos;
        pos += ws.count[l];
      }
      // Bucket (sample, weight) pairs by pixel.
      for (int e = g0; e < g1; e++) {
        int i = byColumn.columnIndices[e];
        double xij = byColumn.values[e];
        for (int f = a.rowPointers[i]; f < a.rowPointers[i + 1]; f++) {
          int at = ws.next[a.columnIndices[f]]++;
          ws.sample[at] = i;
          ws.weight[at] = xij * a.values[f];
        }
      }
      for (int t = 0; t < touched; t++) {
        int l = ws.touched[t];
        boolean seen = ws.seen[l] == stamp;
        ws.seen[l] = stamp;
        k.gatherRows(width, ws.count[l], ws.sample, ws.start[l], ws.weight, ws.start[l],
            features, 0, width, out, l * width, seen);
        ws.count[l] = 0;
      }
    }
    for (int l = 0; l < n; l++) {
      if (ws.seen[l] != stamp) {
        Arrays.fill(out, l * width, (l + 1) * width, 0.0);
      }
    }
  }

  /** Per-thread buffers of {@link #column}: pixel buckets and the pairs of one group. */
  public static final class Workspace {
    final int[] count;
    final int[] start;
    final int[] next;
    final int[] touched;
    final int[] seen;
    final int[] sample;
    final double[] weight;
    private int stamp;

    Workspace(int n, int pairs) {
      count = new int[n];
      start = new int[n];
      next = new int[n];
      touched = new int[n];
      seen = new int[n];
      sample = new int[pairs];
      weight = new double[pairs];
    }

    int nextStamp() {
      if (++stamp == Integer.MAX_VALUE) {
        Arrays.fill(seen, 0);
        stamp = 1;
      }
      return stamp;
    }
  }
}
