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
 * <p>How: the samples of column {@code j} are taken in groups whose feature rows sit in a
 * core's L2 cache; within a group the (sample, weight) pairs are bucketed by tiles of four
 * neighbouring pixels {@code l}, one entry per sample lit in the tile with four weights (zero
 * where the sample's pixel is dark). Each tile's four output rows are then one {@link
 * SparseKernels#gatherRowQuads} call: each loaded vector of a feature row feeds four
 * multiply-adds instead of one, and the output block stays in registers over the group. Tiles
 * filled less than a quarter gather their rows one by one ({@link SparseKernels#gatherRows}).
 * Either way each row adds its terms in sample order with the same operations, so the bits
 * do not depend on which path a tile took.
 *
 * <p>Immutable and thread-safe; each thread brings its own {@link Workspace}.
 */
public final class SparseGram {

  /**
   * Feature rows per group: about 512 KiB of them (half a core's L2, the rest for the tiles'
   * output rows), but 32 to 512 samples, so that each tile gathers a list long enough to pay for
   * loading and storing its output rows.
   */
  private static final int GROUP_DOUBLES = 1 << 16;
  private static final int GROUP_MIN = 32;
  private static final int GROUP_MAX = 512;

  /** Output rows per register tile ({@link SparseKernels#gatherRowQuads}): pixels 4t to 4t+3. */
  private static final int TILE = 4;
  private static final int TILE_SHIFT = 2;

  /**
   * A tile is gathered as one when its entries fill at least 1 / FILL_DENOMINATOR of its
   * (sample, pixel) slots; sparser tiles gather their rows one by one.
   */
  private static final int FILL_DENOMINATOR = 4;

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
    return new Workspace(a.cols(), groupSize * Math.max(1, maxRowLength), groupSize);
  }

  /**
   * Writes {@code G_j} into {@code out} ({@code a.cols() x width}, row-major, from offset 0):
   * every row is overwritten, rows of pixels never lit together with {@code j} become zero.
   */
  public void column(int j, Workspace ws, double[] out) {
    column(j, ws, out, null, 0, 0);
  }

  /**
   * {@link #column(int, Workspace, double[])} without the rows {@code l} whose {@code
   * rank[l]} lies in {@code [skipFrom, skipTo)}: their content in {@code out} is unspecified
   * afterwards. Every other row gets the same bits as from the whole column; a caller that
   * already holds the skipped rows (as {@code G_l[j] = G_j[l]}, the same sum in the same sample
   * order, by symmetry of the weights {@code A[i,j] A[i,l]}) saves their work. {@code rank}
   * may be null when the range is empty.
   */
  public void column(int j, Workspace ws, double[] out, int[] rank, int skipFrom, int skipTo) {
    int n = a.cols();
    boolean skipping = skipFrom < skipTo;
    if (skipping && (rank == null || rank.length < n)) {
      throw new IllegalArgumentException("SparseGram: skipping needs a rank for each of " + n + " rows");
    }
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
      // Count each tile's samples and entries.
      for (int e = g0; e < g1; e++) {
        int i = byColumn.columnIndices[e];
        for (int f = a.rowPointers[i]; f < a.rowPointers[i + 1]; f++) {
          if (skipping && skipped(rank[a.columnIndices[f]], skipFrom, skipTo)) {
            continue;
          }
          int tile = a.columnIndices[f] >> TILE_SHIFT;
          if (ws.count[tile] == 0) {
            ws.touched[touched++] = tile;
          }
          if (ws.lastSample[tile] != e) {
            ws.lastSample[tile] = e;
            ws.count[tile]++;
          }
          ws.entries[tile]++;
        }
      }
      int pos = 0;
      for (int t = 0; t < touched; t++) {
        int tile = ws.touched[t];
        ws.start[tile] = pos;
        ws.next[tile] = pos;
        ws.lastSample[tile] = -1;
        pos += ws.count[tile];
      }
      Arrays.fill(ws.weight, 0, pos * TILE, 0.0);
      // One entry per (sample, tile) with the tile's TILE weights, zero where a pixel is dark.
      for (int e = g0; e < g1; e++) {
        int i = byColumn.columnIndices[e];
        double xij = byColumn.values[e];
        for (int f = a.rowPointers[i]; f < a.rowPointers[i + 1]; f++) {
          int l = a.columnIndices[f];
          if (skipping && skipped(rank[l], skipFrom, skipTo)) {
            continue;
          }
          int tile = l >> TILE_SHIFT;
          if (ws.lastSample[tile] != e) {
            ws.lastSample[tile] = e;
            ws.sample[ws.next[tile]++] = i;
          }
          ws.weight[(ws.next[tile] - 1) * TILE + (l & (TILE - 1))] = xij * a.values[f];
        }
      }
      for (int t = 0; t < touched; t++) {
        int tile = ws.touched[t];
        int l0 = tile * TILE;
        if (l0 + TILE <= n && ws.entries[tile] * FILL_DENOMINATOR >= ws.count[tile] * TILE) {
          tileRows(k, ws, tile, stamp, out);
        } else {
          for (int l = l0; l < Math.min(n, l0 + TILE); l++) {
            singleRow(k, ws, tile, l, stamp, out);
          }
        }
        ws.count[tile] = 0;
        ws.entries[tile] = 0;
        ws.lastSample[tile] = -1;
      }
    }
    for (int l = 0; l < n; l++) {
      if (ws.seen[l] != stamp && !(skipping && skipped(rank[l], skipFrom, skipTo))) {
        Arrays.fill(out, l * width, (l + 1) * width, 0.0);
      }
    }
  }

  private static boolean skipped(int rank, int skipFrom, int skipTo) {
    return rank >= skipFrom && rank < skipTo;
  }

  /** The tile's TILE rows in one register-tiled gather (rows first seen start from zero). */
  private void tileRows(SparseKernels k, Workspace ws, int tile, int stamp, double[] out) {
    int l0 = tile * TILE;
    int unseen = 0;
    for (int l = l0; l < l0 + TILE; l++) {
      if (ws.seen[l] != stamp) {
        unseen++;
      }
    }
    boolean accumulate = unseen < TILE;
    for (int l = l0; l < l0 + TILE; l++) {
      if (accumulate && ws.seen[l] != stamp) {
        Arrays.fill(out, l * width, (l + 1) * width, 0.0);
      }
      ws.seen[l] = stamp;
    }
    int s = ws.start[tile];
    k.gatherRowQuads(width, ws.count[tile], ws.sample, s, ws.weight, s * TILE, features, 0, width,
        out, l0 * width, width, accumulate);
  }

  /** Row {@code l} of a sparse or partial tile alone, over the tile's samples that light it. */
  private void singleRow(SparseKernels k, Workspace ws, int tile, int l, int stamp, double[] out) {
    int slot = l & (TILE - 1);
    int m = 0;
    for (int u = ws.start[tile]; u < ws.start[tile] + ws.count[tile]; u++) {
      double w = ws.weight[u * TILE + slot];
      if (w != 0.0) {
        ws.rowSample[m] = ws.sample[u];
        ws.rowWeight[m++] = w;
      }
    }
    if (m > 0) {
      boolean seen = ws.seen[l] == stamp;
      ws.seen[l] = stamp;
      k.gatherRows(width, m, ws.rowSample, 0, ws.rowWeight, 0, features, 0, width, out, l * width,
          seen);
    }
  }

  /** Per-thread buffers of {@link #column}: tile buckets, a group's entries, one row's list. */
  public static final class Workspace {
    final int[] count;
    final int[] entries;
    final int[] lastSample;
    final int[] start;
    final int[] next;
    final int[] touched;
    final int[] seen;
    final int[] sample;
    final double[] weight;
    final int[] rowSample;
    final double[] rowWeight;
    private int stamp;

    Workspace(int n, int pairs, int groupSize) {
      int tiles = (n + TILE - 1) / TILE;
      count = new int[tiles];
      entries = new int[tiles];
      lastSample = new int[tiles];
      Arrays.fill(lastSample, -1);
      start = new int[tiles];
      next = new int[tiles];
      touched = new int[tiles];
      seen = new int[n];
      sample = new int[pairs];
      weight = new double[pairs * TILE];
      rowSample = new int[groupSize];
      rowWeight = new double[groupSize];
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
