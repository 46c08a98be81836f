package org.dtheta.core.internal.sparse;

import java.util.Arrays;
import org.dtheta.core.kernel.Parallel;
import org.dtheta.core.sparse.SparseKernels;

/**
 * Quads of sparse rows, each two pairs from one window, gathered
 * together ({@link SparseKernels#gatherRowQuads(int, int, int[], int, double[], int, double[],
 * int, int, double[], int, int, int, int, boolean)}): one pass over the union of the four
 * column lists reads each row of the dense operand once for four output rows, where a pair
 * reads it once for two. Built for wide products {@code X B} of a batch of images (the
 * tangents of a Hessian product with many directions), whose gathers stream their dense panel
 * from L2: on the 60000 MNIST training images the gathers read 68% of the rows single gathers
 * read with pairs, 41% with quads (95% of the images in quads).
 *
 * <p>Within each window of {@link RowPairs#WINDOW} rows, the pairs of {@link RowPairs} and
 * pairs of the rows it leaves alone (matched greedily, shortest union fraction first, however
 * unlike) are matched the same way when the union of the two pairs' unions is at most {@link
 * #MAX_UNION_FRACTION} of their two lengths; a quad is its four rows in increasing order. The
 * gathers are bound by reading the dense rows, not by the multiply-adds (a quad's union entry
 * costs about what a single row's entry does), so even unlike rows gain in a quad. Like
 * the pairs, the quads do not depend on how a product is split over threads. A quad's entries
 * are the union of its four rows' column lists in increasing order, each with four weights
 * (zero where a row has no entry), so each output row sees its own terms in the order of the
 * single-row gather with exact zero terms in between: the same finite sums (a zero may lose its
 * sign, and a non-finite entry of the dense operand turns the other rows' entry into NaN, as
 * with pairs). Only for the compressed-row layout of one matrix ({@code pointers} of its rows).
 */
public final class PairQuads {

  /** Two units make a quad when their union has at most this fraction of their two unions. */
  static final double MAX_UNION_FRACTION = 0.75;

  /** Per row: the first (lowest) row of its quad, or -1. */
  private final int[] leader;
  /** Per leading row {@code i}: the quad's four rows at {@code 4i .. 4i+3}, increasing. */
  private final int[] rowsOf;
  /** Per leading row: its quad's first union entry, and the number of them. */
  private final int[] first;
  private final int[] count;
  /** The union entries' columns, quad after quad. */
  public final int[] indices;
  /** Four per union entry: the weights of the quad's rows in increasing row order. */
  public final double[] weights;

  /** The quads of the {@code rows} rows of a matrix whose pairs are {@code pairs}. */
  public PairQuads(int[] pointers, int[] indices, double[] values, int rows, RowPairs pairs) {
    leader = new int[rows];
    Arrays.fill(leader, -1);
    rowsOf = new int[Math.multiplyExact(rows, 4)];
    first = new int[rows];
    count = new int[rows];
    int windows = (rows + RowPairs.WINDOW - 1) / RowPairs.WINDOW;
    long[] unionEnd = new long[windows + 1];
    int bands = RowPairs.bands(rows, windows);
    // Windows are independent: matched band by band, then merged at offsets summed in window
    // order, so the arrays are those of a serial build.
    Parallel.forEachChunk(bands, band -> {
      for (int w = Parallel.bandStart(windows, band, bands);
          w < Parallel.bandStart(windows, band + 1, bands); w++) {
        int w0 = w * RowPairs.WINDOW;
        unionEnd[w + 1] =
            matchWindow(pointers, indices, pairs, w0, Math.min(rows, w0 + RowPairs.WINDOW));
      }
    });
    for (int w = 0; w < windows; w++) {
      unionEnd[w + 1] += unionEnd[w];
    }
    this.indices = new int[Math.toIntExact(unionEnd[windows])];
    this.weights = new double[Math.toIntExact(4 * unionEnd[windows])];
    Parallel.forEachChunk(bands, band -> {
      for (int w = Parallel.bandStart(windows, band, bands);
          w < Parallel.bandStart(windows, band + 1, bands); w++) {
        int at = (int) unionEnd[w];
        for (int r = w * RowPairs.WINDOW; r < Math.min(rows, (w + 1) * RowPairs.WINDOW); r++) {
          if (leader[r] == r) {
            first[r] = at;
            at = merge(pointers, indices, values, Arrays.copyOfRange(rowsOf, 4 * r, 4 * r + 4),
                this.indices, weights, at);
            count[r] = at - first[r];
          }
        }
      }
    });
  }

  /**
   * The first row of row {@code i}'s quad when all four of its rows lie in {@code [lo, hi)},
   * the rows a caller handles together, else -1. The first row leads: its gather writes all four.
   */
  public int leaderWithin(int i, int lo, int hi) {
    int lead = leader[i];
    return lead >= 0 && lead >= lo && rowsOf[4 * lead + 3] < hi ? lead : -1;
  }

  /** Row {@code r} (0 to 3, increasing) of the quad led by row {@code lead}. */
  public int row(int lead, int r) {
    return rowsOf[4 * lead + r];
  }

  /** The first union entry of the quad led by row {@code lead}. */
  public int first(int lead) {
    return first[lead];
  }

  /** The union entries of the quad led by row {@code lead}. */
  public int count(int lead) {
    return count[lead];
  }

  /** Union entries over all quads, for tests and logs. */
  public int unionEntries() {
    return indices.length;
  }

  /**
   * Makes the quads of rows {@code [r0, r1)} (a window, so both rows of each pair lie in it);
   * returns their union entries. Units of two rows are the window's pairs and, greedily by
   * union fraction, pairs of the rows left alone; two units whose union is at most {@link
   * #MAX_UNION_FRACTION} of their two unions make a quad, greedily by union fraction.
   */
  private long matchWindow(int[] pointers, int[] indices, RowPairs pairs, int r0, int r1) {
    int[] span = RowPairs.columnSpan(pointers, indices, 0, r0, r1);
    if (span == null) {
      return 0;
    }
    int lo = span[0];
    int words = (span[1] - lo) / 64 + 1;
    int rows = r1 - r0;
    // Rows left alone (with entries), as bitsets, paired among themselves.
    int[] alone = new int[rows];
    int singles = 0;
    for (int r = r0; r < r1; r++) {
      if (pairs.partner(0, r) < 0 && pointers[r + 1] > pointers[r]) {
        alone[singles++] = r;
      }
    }
    long[] singleBits = new long[Math.max(1, singles) * words];
    for (int a = 0; a < singles; a++) {
      RowPairs.setBits(singleBits, a * words, indices, pointers[alone[a]], pointers[alone[a] + 1],
          lo);
    }
    int[] singlePairs = greedy(singleBits, words, singles, 1.0);
    // Units: the window's pairs, then the pairs of rows left alone; each two rows and a bitset.
    int units = 0;
    int[][] unitRows = new int[rows / 2][];
    long[] bits = new long[Math.max(1, rows / 2) * words];
    for (int r = r0; r < r1; r++) {
      if (pairs.partner(0, r) > r) {
        int e = pairs.first(0, r);
        RowPairs.setBits(bits, units * words, pairs.indices, e, e + pairs.count(0, r), lo);
        unitRows[units++] = new int[] {r, pairs.partner(0, r)};
      }
    }
    for (int q = 0; q < singlePairs.length; q += 2) {
      int a = singlePairs[q];
      int b = singlePairs[q + 1];
      for (int w = 0; w < words; w++) {
        bits[units * words + w] = singleBits[a * words + w] | singleBits[b * words + w];
      }
      unitRows[units++] = new int[] {alone[a], alone[b]};
    }
    int[] quads = greedy(bits, words, units, MAX_UNION_FRACTION);
    long total = 0;
    for (int q = 0; q < quads.length; q += 2) {
      int[] ua = unitRows[quads[q]];
      int[] ub = unitRows[quads[q + 1]];
      int[] four = {ua[0], ua[1], ub[0], ub[1]};
      Arrays.sort(four);
      for (int r = 0; r < 4; r++) {
        leader[four[r]] = four[0];
        rowsOf[4 * four[0] + r] = four[r];
      }
      total += merge(pointers, indices, null, four, null, null, 0);
    }
    return total;
  }

  /**
   * Matches {@code n} sets (bitsets of {@code words} words) two by two, greedily by the
   * fraction their union is of their two sizes, smallest first, when at most {@code
   * maxFraction}; returns the matched pairs' indices, two by two.
   */
  private static int[] greedy(long[] bits, int words, int n, double maxFraction) {
    int[] size = new int[n];
    for (int a = 0; a < n; a++) {
      for (int w = 0; w < words; w++) {
        size[a] += Long.bitCount(bits[a * words + w]);
      }
    }
    // Candidates as (union fraction, a, b) packed into a sortable long: fraction in 1/2^20.
    long[] candidates = new long[n * (n - 1) / 2];
    int found = 0;
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        int both = 0;
        for (int w = 0; w < words; w++) {
          both += Long.bitCount(bits[a * words + w] | bits[b * words + w]);
        }
        if (both <= maxFraction * (size[a] + size[b])) {
          long fraction = (long) both * (1 << 20) / (size[a] + size[b]);
          candidates[found++] = fraction << 32 | (long) a << 16 | b;
        }
      }
    }
    Arrays.sort(candidates, 0, found);
    boolean[] used = new boolean[n];
    int[] matched = new int[n / 2 * 2];
    int m = 0;
    for (int c = 0; c < found; c++) {
      int a = (int) (candidates[c] >>> 16 & 0xFFFF);
      int b = (int) (candidates[c] & 0xFFFF);
      if (!used[a] && !used[b]) {
        used[a] = true;
        used[b] = true;
        matched[m++] = a;
        matched[m++] = b;
      }
    }
    return Arrays.copyOf(matched, m);
  }

  /** The smallest column at the heads {@code e} of rows {@code four}, or MAX_VALUE when done. */
  private static int next(int[] pointers, int[] indices, int[] four, int[] e) {
    int j = Integer.MAX_VALUE;
    for (int r = 0; r < 4; r++) {
      if (e[r] < pointers[four[r] + 1]) {
        j = Math.min(j, indices[e[r]]);
      }
    }
    return j;
  }

  /**
   * Writes the union of rows {@code four}'s column lists from {@code at} into {@code outIndices}
   * and, four per entry, their values (zero where a row has none) into {@code outWeights};
   * returns the end. With null outputs (and values) it only counts, from {@code at}.
   */
  private static int merge(int[] pointers, int[] indices, double[] values, int[] four,
      int[] outIndices, double[] outWeights, int at) {
    int[] e = new int[4];
    for (int r = 0; r < 4; r++) {
      e[r] = pointers[four[r]];
    }
    while (true) {
      int j = next(pointers, indices, four, e);
      if (j == Integer.MAX_VALUE) {
        return at;
      }
      if (outIndices != null) {
        outIndices[at] = j;
      }
      for (int r = 0; r < 4; r++) {
        boolean has = e[r] < pointers[four[r] + 1] && indices[e[r]] == j;
        if (outWeights != null) {
          outWeights[4 * at + r] = has ? values[e[r]] : 0.0;
        }
        e[r] += has ? 1 : 0;
      }
      at++;
    }
  }
}
