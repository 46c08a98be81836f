package org.dtheta.core.internal.sparse;

import java.util.Arrays;
import org.dtheta.core.kernel.Parallel;
import org.dtheta.core.sparse.SparseKernels;

/**
 * Pairs of sparse rows that share enough columns to be gathered together ({@link
 * SparseKernels#gatherRowPairs}): one pass over the union of the two column lists reads each row
 * of the dense operand once for both output rows. The gathers of wide products are bound by
 * those reads (the dense panel streams from L2), so a pair whose union is much shorter than its
 * two lists costs less as a pair, while a pair of unrelated rows costs more (two multiply-adds
 * per union entry, one of them by zero). Real images are far from random: within a window of 64
 * MNIST images, or of 64 neighbouring pixels, most rows find a partner whose union is at most
 * {@link #MAX_UNION_FRACTION} of their entries (on 7500 MNIST images the gathers then read 68%
 * of the rows they read alone); random rows of MNIST's density almost never do, and stay alone.
 *
 * <p>Rows are read from a compressed-row layout of {@code groups} groups of {@code rowsPerGroup}
 * rows: row {@code r} of group {@code g} holds the entries
 * {@code [pointers[g stride + r], pointers[g stride + r + 1])} of {@code indices} and
 * {@code values}, indices strictly increasing. Partners are chosen within fixed windows of
 * {@link #WINDOW} rows of a group (greedily, shortest union fraction first), so they do not
 * depend on how a product is split over threads. A pair's entries are the union of the two
 * column lists in increasing order, each with two weights (the leader's, the lower row, then the
 * partner's; zero where a row has no entry). Each output row therefore sees its own entries in
 * the order of the single-row gather, with zero terms in between, which add nothing (an exact 0
 * times a finite value): pairing changes no finite result, except that a zero may lose its sign.
 * A non-finite entry of the dense operand, which spoils its own row of the result anyway, also
 * turns the partner row's entry into NaN.
 */
public final class RowPairs {

  /** A pair is gathered as a pair when its union has at most this fraction of its entries. */
  static final double MAX_UNION_FRACTION = 0.7;
  /** Rows searched for partners together: 64 rows, 2016 candidate pairs. */
  static final int WINDOW = 64;
  /** Below this many rows the pairs are found on the calling thread (a task costs more). */
  private static final int PARALLEL_ROWS = 4096;

  private final int rowsPerGroup;
  /** Per row of every group: its partner (a row of the same group), or -1. */
  private final int[] partner;
  /** Per leader (the lower row of a pair): its first union entry; the pair ends at the next. */
  private final int[] first;
  private final int[] count;
  public final int[] indices;
  /** Two per union entry: the leader's weight, then the partner's. */
  public final double[] weights;

  public RowPairs(int[] pointers, int[] indices, double[] values, int groups, int stride,
      int rowsPerGroup) {
    this.rowsPerGroup = rowsPerGroup;
    int rowCount = Math.multiplyExact(groups, rowsPerGroup);
    partner = new int[rowCount];
    first = new int[rowCount];
    count = new int[rowCount];
    Arrays.fill(partner, -1);
    // Windows are independent (partners never cross one): they are matched, then merged from
    // offsets summed in window order, band by band over the cores, with the serial result.
    int perGroup = (rowsPerGroup + WINDOW - 1) / WINDOW;
    int windows = Math.multiplyExact(groups, perGroup);
    long[] unionEnd = new long[windows + 1];
    int bands = bands(rowCount, windows);
    Parallel.forEachChunk(bands, band -> {
      for (int w = Parallel.bandStart(windows, band, bands);
          w < Parallel.bandStart(windows, band + 1, bands); w++) {
        int g = w / perGroup;
        int w0 = (w % perGroup) * WINDOW;
        unionEnd[w + 1] = matchWindow(pointers, indices, g * stride, g * rowsPerGroup, w0,
            Math.min(rowsPerGroup, w0 + WINDOW));
      }
    });
    for (int w = 0; w < windows; w++) {
      unionEnd[w + 1] += unionEnd[w];
    }
    this.indices = new int[Math.toIntExact(unionEnd[windows])];
    this.weights = new double[Math.toIntExact(2 * unionEnd[windows])];
    Parallel.forEachChunk(bands, band -> {
      for (int w = Parallel.bandStart(windows, band, bands);
          w < Parallel.bandStart(windows, band + 1, bands); w++) {
        int g = w / perGroup;
        int at = (int) unionEnd[w];
        for (int r = (w % perGroup) * WINDOW;
            r < Math.min(rowsPerGroup, (w % perGroup + 1) * WINDOW); r++) {
          int row = g * rowsPerGroup + r;
          if (partner[row] > r) {
            first[row] = at;
            at = merge(pointers, indices, values, g * stride + r, g * stride + partner[row], at);
            count[row] = at - first[row];
          }
        }
      }
    });
  }

  /**
   * The partner of row {@code r} of group {@code g} (a row of the same group), or -1 when the
   * row is gathered alone.
   */
  public int partner(int g, int r) {
    return partner[g * rowsPerGroup + r];
  }

  /**
   * The partner of row {@code r} of group {@code g} when it lies in {@code [lo, hi)}, the rows a
   * caller handles together, else -1. The lower row of a pair leads: its gather writes both.
   */
  public int partnerWithin(int g, int r, int lo, int hi) {
    int q = partner(g, r);
    return q >= lo && q < hi ? q : -1;
  }

  /** The first union entry of the pair led by row {@code r} of group {@code g}. */
  public int first(int g, int r) {
    return first[g * rowsPerGroup + r];
  }

  /** The union entries of the pair led by row {@code r} of group {@code g}. */
  public int count(int g, int r) {
    return count[g * rowsPerGroup + r];
  }

  /** Union entries over all pairs, for tests and logs. */
  public int unionEntries() {
    return indices.length;
  }

  /**
   * Pairs the rows {@code [r0, r1)} of the group whose pointers start at {@code base} (its rows
   * at {@code rowBase} in {@link #partner}); returns the union entries of the pairs made. The
   * overlaps come from bitsets of the window's columns, one AND and bit count per word.
   */
  private long matchWindow(int[] pointers, int[] indices, int base, int rowBase, int r0, int r1) {
    int n = r1 - r0;
    int[] span = columnSpan(pointers, indices, base, r0, r1);
    if (span == null) {
      return 0;
    }
    int lo = span[0];
    int words = (span[1] - lo) / 64 + 1;
    long[] bits = new long[n * words];
    for (int r = r0; r < r1; r++) {
      setBits(bits, (r - r0) * words, indices, pointers[base + r], pointers[base + r + 1], lo);
    }
    // Candidates as (union fraction, a, b) packed into a sortable long: fraction in 1/2^20.
    long[] candidates = new long[n * (n - 1) / 2];
    int found = 0;
    for (int a = 0; a < n; a++) {
      int na = pointers[base + r0 + a + 1] - pointers[base + r0 + a];
      for (int b = a + 1; b < n; b++) {
        int nb = pointers[base + r0 + b + 1] - pointers[base + r0 + b];
        int union = na + nb - shared(bits, words, a, b);
        if (union > 0 && union <= MAX_UNION_FRACTION * (na + nb)) {
          long fraction = (long) union * (1 << 20) / (na + nb);
          candidates[found++] = fraction << 32 | (long) a << 16 | b;
        }
      }
    }
    Arrays.sort(candidates, 0, found);
    long total = 0;
    for (int c = 0; c < found; c++) {
      int a = r0 + (int) (candidates[c] >>> 16 & 0xFFFF);
      int b = r0 + (int) (candidates[c] & 0xFFFF);
      if (partner[rowBase + a] < 0 && partner[rowBase + b] < 0) {
        partner[rowBase + a] = b;
        partner[rowBase + b] = a;
        int na = pointers[base + a + 1] - pointers[base + a];
        int nb = pointers[base + b + 1] - pointers[base + b];
        total += na + nb - shared(bits, words, a - r0, b - r0);
      }
    }
    return total;
  }

  /**
   * Bands a build over {@code rows} rows in {@code windows} independent windows runs in over
   * the cores: one (the calling thread) below {@link #PARALLEL_ROWS} rows.
   */
  static int bands(int rows, int windows) {
    return rows < PARALLEL_ROWS ? 1 : Math.min(windows, 4 * Parallel.threads());
  }

  /**
   * The lowest and highest column of rows {@code [r0, r1)} (pointers from {@code base}), or
   * null when they are all empty: the span of a window's bitsets.
   */
  static int[] columnSpan(int[] pointers, int[] indices, int base, int r0, int r1) {
    int lo = Integer.MAX_VALUE;
    int hi = -1;
    for (int r = r0; r < r1; r++) {
      int e0 = pointers[base + r];
      int e1 = pointers[base + r + 1];
      if (e1 > e0) {
        lo = Math.min(lo, indices[e0]);
        hi = Math.max(hi, indices[e1 - 1]);
      }
    }
    return hi < 0 ? null : new int[] {lo, hi};
  }

  /** Sets the columns {@code indices[from, to)}, less {@code lo}, in the bitset at {@code at}. */
  static void setBits(long[] bits, int at, int[] indices, int from, int to, int lo) {
    for (int e = from; e < to; e++) {
      int b = indices[e] - lo;
      bits[at + (b >>> 6)] |= 1L << b;
    }
  }

  /** Columns rows {@code a} and {@code b} of a window have in common, from their bitsets. */
  private static int shared(long[] bits, int words, int a, int b) {
    int same = 0;
    for (int w = 0; w < words; w++) {
      same += Long.bitCount(bits[a * words + w] & bits[b * words + w]);
    }
    return same;
  }

  /** Writes the union of rows {@code ra} and {@code rb} (pointer indices) from {@code at}. */
  private int merge(int[] pointers, int[] indices, double[] values, int ra, int rb, int at) {
    int a = pointers[ra];
    int aEnd = pointers[ra + 1];
    int b = pointers[rb];
    int bEnd = pointers[rb + 1];
    while (a < aEnd || b < bEnd) {
      int ja = a < aEnd ? indices[a] : Integer.MAX_VALUE;
      int jb = b < bEnd ? indices[b] : Integer.MAX_VALUE;
      this.indices[at] = Math.min(ja, jb);
      weights[2 * at] = ja <= jb ? values[a++] : 0.0;
      weights[2 * at + 1] = jb <= ja ? values[b++] : 0.0;
      at++;
    }
    return at;
  }
}
