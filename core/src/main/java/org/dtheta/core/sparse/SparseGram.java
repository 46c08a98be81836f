package org.dtheta.core.sparse;

import java.util.Arrays;
import org.dtheta.core.kernel.CacheAligned;

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
 * <p>How, two paths with the same bits (each row adds its terms in sample order with the
 * operations of {@link SparseKernels#gatherRows}); a column takes the one that suits how its
 * first samples fill tiles of four neighbouring pixels (see {@code tileFill}):
 *
 * <ul>
 *   <li>Strips, for scattered pixels (independent random data): the samples are taken in chunks
 *       (about 1700 MNIST-like samples) whose (sample, pixel) entries are bucketed once, by
 *       groups of 128 samples and by output row {@code l}, each list in sample order. The output
 *       is computed in strips of 32 columns: for each group, its features in the strip are
 *       packed into a panel that stays in the level-one cache while every row gathers its list
 *       from it ({@link SparseKernels#gatherRowLists}) into a packed strip of the output that
 *       stays in the level-two cache over the chunk's groups. Every product is useful.
 *   <li>Tiles, for images (neighbouring pixels lit together): the samples are taken in groups
 *       of 512; within a group the (sample, weight) pairs are bucketed by tiles of four
 *       neighbouring pixels, one entry per sample lit in the tile with four weights (zero where
 *       the sample's pixel is dark). The output is computed in strips of 192 columns: the
 *       group's features in the strip are packed into a panel that stays in the level-two cache
 *       while each tile's four output rows are one {@link SparseKernels#gatherRowQuads} call
 *       over it, so each loaded vector of a feature row feeds four multiply-adds and each call
 *       has many samples. Tiles filled less than a quarter gather their rows one by one; a zero
 *       weight adds nothing, so the bits are those of the strips.
 * </ul>
 *
 * <p>Immutable and thread-safe; each thread brings its own {@link Workspace}.
 */
public final class SparseGram {

  /** Output columns per strip: a group's packed feature strips then fit the level-one cache. */
  private static final int STRIP = 32;

  /** Samples per group: {@code GROUP x STRIP} doubles of packed features (32 KiB). */
  private static final int GROUP_SHIFT = 7;
  private static final int GROUP = 1 << GROUP_SHIFT;

  /**
   * Entries (sample, pixel pairs) bucketed at once: a chunk of samples, bucketed by group and
   * row, serves every strip, so its lists (about 3 MB) are re-read once per strip and should
   * stay in cache; the output is read and written once per chunk and strip.
   */
  private static final int CHUNK_ENTRIES = 1 << 18;

  /** At most this many groups per chunk, which bounds the bucket pointers. */
  private static final int CHUNK_GROUPS = 512;

  /** Output columns per strip of the tile path: four register blocks of six vectors. */
  private static final int TILE_STRIP = 192;

  /** Samples per tile group at most (narrow features would otherwise make huge groups). */
  private static final int GROUP_MAX = 512;

  /**
   * Doubles of a tile group's packed feature strip (768 KiB, in the level-two cache): 512
   * samples of a 192-column strip, so that each register tile's call has many samples.
   */
  private static final int TILE_PANEL_DOUBLES = GROUP_MAX * TILE_STRIP;

  /**
   * Where a tile group's packed features start in its panel ({@link CacheAligned}): every
   * 192-column row on cache lines of its own; in a small array wherever it lands, rows straddle
   * lines and each of the kernel's loads reads two from L2 (benchmarks/README).
   */
  private static final int PANEL_START = CacheAligned.START;

  /** Samples of a column whose tiles' fill chooses its path ({@link #tileFill}). */
  private static final int FILL_PROBE = 64;

  /** Output rows per register tile ({@link SparseKernels#gatherRowQuads}): pixels 4t to 4t+3. */
  private static final int TILE = 4;
  private static final int TILE_SHIFT = 2;

  /** In the tile path, tiles under a quarter full gather their rows one by one. */
  private static final int FILL_DENOMINATOR = 4;

  /**
   * Columns whose first group of samples fills its tiles of four pixels at least this much
   * (fraction of a tile's sample, pixel slots lit) take the tile path, others the strips.
   */
  private static final double TILE_FILL = 0.5;

  private final CsrMatrix a;
  private final CsrMatrix byColumn;
  /**
   * Each row's lit pixels by tiles of four, for the tile path's bucketing: built once, by the
   * first column that takes the tile path (data that never does, such as scattered pixels, never
   * pays for it).
   */
  private volatile TiledRows tiled;
  private final double[] features;
  private final int width;
  private final int chunkEntries;
  private final int chunkCap;
  private final int pairs;
  private final int groupSize;
  private final int stripWidth;
  private final int maxRowLength;

  /**
   * Prepares the products for {@code a} and features {@code features} ({@code a.rows() x width},
   * row-major; kept, not copied).
   */
  public SparseGram(CsrMatrix a, double[] features, int width) {
    this(a, features, width, CHUNK_ENTRIES, TILE_STRIP, TILE_PANEL_DOUBLES);
  }

  /** As the public constructor, with chunks of about {@code chunkEntries} entries (for tests). */
  SparseGram(CsrMatrix a, double[] features, int width, int chunkEntries) {
    this(a, features, width, chunkEntries, TILE_STRIP, TILE_PANEL_DOUBLES);
  }

  /**
   * As the public constructor, with the tile path's strips of {@code tileStrip} columns and
   * groups of {@code tilePanelDoubles / tileStrip} samples (at least one; for tests).
   */
  SparseGram(CsrMatrix a, double[] features, int width, int chunkEntries, int tileStrip,
      int tilePanelDoubles) {
    if (width < 1 || features.length != (long) a.rows() * width) {
      throw new IllegalArgumentException(
          "SparseGram: features have " + features.length + " entries, expected " + a.rows() + " x " + width);
    }
    this.a = a;
    this.byColumn = a.transpose();
    this.features = features;
    this.width = width;
    int longest = 0;
    for (int i = 0; i < a.rows(); i++) {
      longest = Math.max(longest, a.rowLength(i));
    }
    this.chunkEntries = chunkEntries;
    this.stripWidth = Math.min(width, tileStrip);
    this.groupSize = groupSize(stripWidth, tilePanelDoubles);
    this.maxRowLength = longest;
    this.chunkCap = chunkCap(a.rows());
    this.pairs = (int) Math.min(a.nonZeros(), chunkPairs(chunkEntries, longest));
  }

  /** Samples per tile group for strips of {@code stripWidth} columns. */
  private static int groupSize(int stripWidth, int tilePanelDoubles) {
    return Math.max(1, Math.min(GROUP_MAX, tilePanelDoubles / stripWidth));
  }

  /** Samples per chunk at most, in whole groups. */
  private static int chunkCap(int rows) {
    return Math.min((rows + GROUP - 1) / GROUP, CHUNK_GROUPS) * GROUP;
  }

  /** A chunk's (sample, pixel) pairs at most, before the data's nonzeros bound them. */
  private static long chunkPairs(int chunkEntries, int longestRow) {
    return Math.max(chunkEntries, (long) GROUP * longestRow);
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
    return columnWork(j, null, 0, 0);
  }

  /**
   * Multiply-adds of {@link #column(int, Workspace, double[], int[], int, int)} with the rows
   * whose {@code rank} lies in {@code [skipFrom, skipTo)} skipped: {@code width} per sample lit
   * at {@code j} and pixel computed in it.
   */
  public long columnWork(int j, int[] rank, int skipFrom, int skipTo) {
    boolean skipping = skipFrom < skipTo;
    long entries = 0;
    for (int e = byColumn.rowPointers[j]; e < byColumn.rowPointers[j + 1]; e++) {
      int i = byColumn.columnIndices[e];
      if (!skipping) {
        entries += a.rowLength(i);
        continue;
      }
      for (int f = a.rowPointers[i]; f < a.rowPointers[i + 1]; f++) {
        entries += skipped(rank[a.columnIndices[f]], skipFrom, skipTo) ? 0 : 1;
      }
    }
    return entries * width;
  }

  /** Scratch space for one thread. */
  public Workspace newWorkspace() {
    return new Workspace(a.cols(), chunkCap, Math.max(1, pairs), Math.min(STRIP, width),
        groupSize * Workspace.tiles(a.cols()), groupSize * Math.max(1, maxRowLength),
        groupSize * stripWidth);
  }

  /**
   * Bytes of one {@link Workspace} at most for a {@code rows x cols} matrix with {@code width}
   * features per row, whatever its nonzeros (for memory checks before the data is read): the
   * sizes {@link #newWorkspace} passes, each at its largest (every row lighting every column).
   */
  public static long workspaceBytes(int rows, int cols, int width) {
    int stripWidth = Math.min(width, TILE_STRIP);
    int groupSize = groupSize(stripWidth, TILE_PANEL_DOUBLES);
    return Workspace.bytes(cols, chunkCap(rows), chunkPairs(CHUNK_ENTRIES, cols),
        Math.min(STRIP, width), (long) groupSize * Workspace.tiles(cols), (long) groupSize * cols,
        (long) groupSize * stripWidth);
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
    if (tileFill(j, ws) >= TILE_FILL) {
      columnTiles(j, ws, out, rank, skipFrom, skipTo, n, skipping);
      return;
    }
    SparseKernels k = SparseKernels.selected();
    int first = byColumn.rowPointers[j];
    int last = byColumn.rowPointers[j + 1];
    int active = 0;
    for (int l = 0; l < n; l++) {
      if (!(skipping && skipped(rank[l], skipFrom, skipTo))) {
        ws.active[active++] = l;
      }
    }
    if (first == last) {
      for (int q = 0; q < active; q++) {
        int l = ws.active[q];
        Arrays.fill(out, l * width, (l + 1) * width, 0.0);
      }
      return;
    }
    for (int c0 = first, c1; c0 < last; c0 = c1) {
      c1 = chunkEnd(c0, last);
      int groups = (c1 - c0 + GROUP - 1) / GROUP;
      bucket(j, ws, c0, c1, groups, n, rank, skipping, skipFrom, skipTo);
      for (int s0 = 0; s0 < width; s0 += STRIP) {
        int sw = Math.min(STRIP, width - s0);
        double[] buf = ws.strip;
        if (c0 == first) {
          Arrays.fill(buf, 0, n * sw, 0.0);
        } else {
          for (int q = 0; q < active; q++) {
            int l = ws.active[q];
            System.arraycopy(out, l * width + s0, buf, l * sw, sw);
          }
        }
        for (int g = 0; g < groups; g++) {
          int e0 = c0 + g * GROUP;
          int e1 = Math.min(c1, e0 + GROUP);
          pack(e0, e1, s0, sw, ws.panel, 0);
          k.gatherRowLists(sw, n, ws.start, g * n, ws.sample, ws.weight, ws.panel, buf, 0);
        }
        for (int q = 0; q < active; q++) {
          int l = ws.active[q];
          System.arraycopy(buf, l * sw, out, l * width + s0, sw);
        }
      }
    }
  }

  /**
   * The fraction of (sample, pixel) slots lit in the tiles of four pixels that the first group
   * of column {@code j}'s samples touches: high on images (neighbouring pixels lit together),
   * where tiles reuse each loaded feature vector for four rows; low on independent pixels, where
   * most of a tile's products would be by zero.
   */
  private double tileFill(int j, Workspace ws) {
    int first = byColumn.rowPointers[j];
    int last = Math.min(byColumn.rowPointers[j + 1], first + FILL_PROBE);
    long entries = 0;
    long slots = 0;
    for (int e = first; e < last; e++) {
      int i = byColumn.columnIndices[e];
      for (int f = a.rowPointers[i]; f < a.rowPointers[i + 1]; f++) {
        int tile = a.columnIndices[f] >> TILE_SHIFT;
        if (ws.lastSample[tile] != e) {
          ws.lastSample[tile] = e;
          slots += TILE;
        }
        entries++;
      }
    }
    for (int e = first; e < last; e++) {
      int i = byColumn.columnIndices[e];
      for (int f = a.rowPointers[i]; f < a.rowPointers[i + 1]; f++) {
        ws.lastSample[a.columnIndices[f] >> TILE_SHIFT] = -1;
      }
    }
    return slots == 0 ? 0.0 : (double) entries / slots;
  }

  /** The column by register tiles of four pixels over groups of samples (the tile path). */
  private void columnTiles(int j, Workspace ws, double[] out, int[] rank, int skipFrom,
      int skipTo, int n, boolean skipping) {
    SparseKernels k = SparseKernels.selected();
    int stamp = ws.nextStamp();
    int first = byColumn.rowPointers[j];
    int last = byColumn.rowPointers[j + 1];
    TiledRows byTile = tiledRows();
    // Which of each tile's rows this column computes (all four unless skipped or past n).
    int tiles = (n + TILE - 1) >> TILE_SHIFT;
    for (int t = 0; t < tiles; t++) {
      int mask = 0;
      for (int r = 0; r < TILE; r++) {
        int l = t * TILE + r;
        if (l < n && !(skipping && skipped(rank[l], skipFrom, skipTo))) {
          mask |= 1 << r;
        }
      }
      ws.tileMask[t] = mask;
    }
    for (int g0 = first; g0 < last; g0 += groupSize) {
      int g1 = Math.min(last, g0 + groupSize);
      int touched = 0;
      // One entry per (sample, tile) with the tile's TILE weights, zero where a pixel is dark,
      // in the tile's own region of groupSize entries (so no counting pass is needed).
      for (int e = g0; e < g1; e++) {
        int i = byColumn.columnIndices[e];
        double xij = byColumn.values[e];
        for (int q = byTile.rowPointers[i]; q < byTile.rowPointers[i + 1]; q++) {
          int tile = byTile.tile[q];
          int lit = byTile.lit[q];
          int mask = lit & ws.tileMask[tile];
          if (mask == 0) {
            continue;
          }
          if (ws.count[tile] == 0) {
            ws.touched[touched++] = tile;
          }
          int u = tile * groupSize + ws.count[tile]++;
          ws.entries[tile] += Integer.bitCount(mask);
          ws.tileSample[u] = e - g0;
          // A dark pixel's value is 0 and + 0.0 makes its weight +0.0 whatever the sign of x_ij;
          // a lit one's product is unchanged. Branch-free but for the rare skipped rows.
          int v = q * TILE;
          int w = u * TILE;
          if (mask == lit) {
            for (int r = 0; r < TILE; r++) {
              ws.tileWeight[w + r] = xij * byTile.values[v + r] + 0.0;
            }
          } else {
            for (int r = 0; r < TILE; r++) {
              ws.tileWeight[w + r] = (mask & (1 << r)) != 0 ? xij * byTile.values[v + r] + 0.0 : 0.0;
            }
          }
        }
      }
      int calls = 0;
      ws.rowEnd = 0;
      for (int t = 0; t < touched; t++) {
        int tile = ws.touched[t];
        int l0 = tile * TILE;
        if (l0 + TILE <= n && ws.entries[tile] * FILL_DENOMINATOR >= ws.count[tile] * TILE) {
          calls = planTile(ws, tile, stamp, out, calls);
        } else {
          for (int l = l0; l < Math.min(n, l0 + TILE); l++) {
            calls = planRow(ws, tile, l, stamp, calls);
          }
        }
        ws.count[tile] = 0;
        ws.entries[tile] = 0;
      }
      // The group's calls strip by strip, its features in each strip packed once for all.
      for (int s0 = 0; calls > 0 && s0 < width; s0 += stripWidth) {
        int sw = Math.min(stripWidth, width - s0);
        pack(g0, g1, s0, sw, ws.tilePanel, PANEL_START);
        for (int c = 0; c < calls; c++) {
          int start = ws.callStart[c];
          int to = ws.callRow[c] * width + s0;
          if (ws.callQuad[c]) {
            k.gatherRowQuads(sw, ws.callCount[c], ws.tileSample, start, ws.tileWeight,
                start * TILE, ws.tilePanel, PANEL_START, sw, out, to, width,
                ws.callAccumulate[c]);
          } else {
            k.gatherRows(sw, ws.callCount[c], ws.rowSample, start, ws.rowWeight, start,
                ws.tilePanel, PANEL_START, sw, out, to, ws.callAccumulate[c]);
          }
        }
      }
    }
    for (int l = 0; l < n; l++) {
      if (ws.seen[l] != stamp && !(skipping && skipped(rank[l], skipFrom, skipTo))) {
        Arrays.fill(out, l * width, (l + 1) * width, 0.0);
      }
    }
  }

  /**
   * Plans the tile's TILE rows as one register-tiled gather (rows first seen start from zero);
   * returns the group's call count.
   */
  private int planTile(Workspace ws, int tile, int stamp, double[] out, int calls) {
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
    ws.callQuad[calls] = true;
    ws.callRow[calls] = l0;
    ws.callStart[calls] = tile * groupSize;
    ws.callCount[calls] = ws.count[tile];
    ws.callAccumulate[calls] = accumulate;
    return calls + 1;
  }

  /**
   * Plans row {@code l} of a sparse or partial tile alone, over the tile's samples that light
   * it; returns the group's call count.
   */
  private int planRow(Workspace ws, int tile, int l, int stamp, int calls) {
    int slot = l & (TILE - 1);
    int from = ws.rowEnd;
    int m = from;
    for (int u = tile * groupSize; u < tile * groupSize + ws.count[tile]; u++) {
      double w = ws.tileWeight[u * TILE + slot];
      if (w != 0.0) {
        ws.rowSample[m] = ws.tileSample[u];
        ws.rowWeight[m++] = w;
      }
    }
    if (m == from) {
      return calls;
    }
    ws.rowEnd = m;
    ws.callQuad[calls] = false;
    ws.callRow[calls] = l;
    ws.callStart[calls] = from;
    ws.callCount[calls] = m - from;
    ws.callAccumulate[calls] = ws.seen[l] == stamp;
    ws.seen[l] = stamp;
    return calls + 1;
  }

  /** The end of the chunk from sample {@code c0}: whole groups while the entries fit. */
  private int chunkEnd(int c0, int last) {
    int c1 = c0;
    long entries = 0;
    while (c1 < last && c1 - c0 < chunkCap) {
      int g1 = Math.min(last, c1 + GROUP);
      long more = 0;
      for (int e = c1; e < g1; e++) {
        more += a.rowLength(byColumn.columnIndices[e]);
      }
      if (c1 > c0 && entries + more > chunkEntries) {
        break;
      }
      entries += more;
      c1 = g1;
    }
    return c1;
  }

  /**
   * Buckets the entries of samples {@code c0..c1} of column {@code j} by group and row: the
   * list of group {@code g}, row {@code l} is {@code ws.start[g * n + l]} to the next start,
   * holding the sample's place in its group and the weight {@code A[i,j] A[i,l]}, in sample order.
   */
  private void bucket(int j, Workspace ws, int c0, int c1, int groups, int n, int[] rank,
      boolean skipping, int skipFrom, int skipTo) {
    int[] start = ws.start;
    int[] next = ws.next;
    int keys = groups * n;
    Arrays.fill(start, 0, keys + 1, 0);
    int[] rowPointers = a.rowPointers;
    int[] columns = a.columnIndices;
    double[] values = a.values;
    int[] samples = byColumn.columnIndices;
    for (int e = c0; e < c1; e++) {
      int base = ((e - c0) >>> GROUP_SHIFT) * n + 1;
      int i = samples[e];
      int f1 = rowPointers[i + 1];
      for (int f = rowPointers[i]; f < f1; f++) {
        int l = columns[f];
        if (!skipping || !skipped(rank[l], skipFrom, skipTo)) {
          start[base + l]++;
        }
      }
    }
    for (int q = 1; q <= keys; q++) {
      start[q] += start[q - 1];
    }
    System.arraycopy(start, 0, next, 0, keys);
    int[] sample = ws.sample;
    double[] weight = ws.weight;
    for (int e = c0; e < c1; e++) {
      int base = ((e - c0) >>> GROUP_SHIFT) * n;
      int u = (e - c0) & (GROUP - 1);
      int i = samples[e];
      double xij = byColumn.values[e];
      int f1 = rowPointers[i + 1];
      for (int f = rowPointers[i]; f < f1; f++) {
        int l = columns[f];
        if (!skipping || !skipped(rank[l], skipFrom, skipTo)) {
          int p = next[base + l]++;
          sample[p] = u;
          weight[p] = xij * values[f];
        }
      }
    }
  }

  /** Columns {@code s0 .. s0 + sw} of samples {@code e0 .. e1}'s features, packed from {@code at}. */
  private void pack(int e0, int e1, int s0, int sw, double[] panel, int at) {
    int[] samples = byColumn.columnIndices;
    for (int e = e0; e < e1; e++) {
      System.arraycopy(features, samples[e] * width + s0, panel, at + (e - e0) * sw, sw);
    }
  }

  private static boolean skipped(int rank, int skipFrom, int skipTo) {
    return rank >= skipFrom && rank < skipTo;
  }

  private TiledRows tiledRows() {
    TiledRows t = tiled;
    if (t == null) {
      // Built once: the threads' first columns would otherwise each build a copy (hundreds of MB).
      synchronized (this) {
        t = tiled;
        if (t == null) {
          t = new TiledRows(a);
          tiled = t;
        }
      }
    }
    return t;
  }

  /**
   * The rows of {@code a} by tiles of four neighbouring columns: entry {@code q} of row {@code i}
   * ({@code rowPointers[i] <= q < rowPointers[i+1]}) is tile {@code tile[q]}, whose lit columns
   * are the bits of {@code lit[q]} and whose four values are {@code values[4q .. 4q+3]} (0 where
   * dark).
   */
  private static final class TiledRows {
    final int[] rowPointers;
    final int[] tile;
    final byte[] lit;
    final double[] values;

    TiledRows(CsrMatrix a) {
      int rows = a.rows();
      rowPointers = new int[rows + 1];
      int count = 0;
      for (int i = 0; i < rows; i++) {
        int previous = -1;
        for (int f = a.rowPointers[i]; f < a.rowPointers[i + 1]; f++) {
          int t = a.columnIndices[f] >> TILE_SHIFT;
          if (t != previous) {
            count++;
            previous = t;
          }
        }
        rowPointers[i + 1] = count;
      }
      tile = new int[count];
      lit = new byte[count];
      values = new double[Math.multiplyExact(count, TILE)];
      int q = -1;
      for (int i = 0; i < rows; i++) {
        int previous = -1;
        for (int f = a.rowPointers[i]; f < a.rowPointers[i + 1]; f++) {
          int column = a.columnIndices[f];
          int t = column >> TILE_SHIFT;
          if (t != previous) {
            q++;
            tile[q] = t;
            previous = t;
          }
          lit[q] |= (byte) (1 << (column & (TILE - 1)));
          values[q * TILE + (column & (TILE - 1))] = a.values[f];
        }
      }
    }
  }

  /** Per-thread buffers of {@link #column}: both paths' buckets, a packed panel and strip. */
  public static final class Workspace {
    final int[] active;
    final int[] start;
    final int[] next;
    final int[] sample;
    final double[] weight;
    final double[] panel;
    final double[] strip;
    final int[] count;
    final int[] entries;
    final int[] lastSample;
    final int[] touched;
    final int[] seen;
    final int[] tileMask;
    final int[] tileSample;
    final double[] tileWeight;
    final int[] rowSample;
    final double[] rowWeight;
    /** The tile path's packed feature strip of a group, from {@link #PANEL_START}. */
    final double[] tilePanel;
    /** A group's calls: quad or single row, first output row, list start and length, accumulate. */
    final boolean[] callQuad;
    final int[] callRow;
    final int[] callStart;
    final int[] callCount;
    final boolean[] callAccumulate;
    /** The end of the single rows' lists planned so far in the group. */
    int rowEnd;
    private int stamp;

    Workspace(int n, int chunkSize, int pairs, int stripWidth, int tilePairs, int rowPairs,
        int panelDoubles) {
      int keys = Math.toIntExact(keys(n, chunkSize));
      active = new int[n];
      start = new int[keys + 1];
      next = new int[keys];
      sample = new int[pairs];
      weight = new double[pairs];
      panel = new double[GROUP * stripWidth];
      strip = new double[n * stripWidth];
      int tiles = tiles(n);
      count = new int[tiles];
      entries = new int[tiles];
      lastSample = new int[tiles];
      Arrays.fill(lastSample, -1);
      touched = new int[tiles];
      seen = new int[n];
      tileMask = new int[tiles];
      tileSample = new int[tilePairs];
      tileWeight = new double[tilePairs * TILE];
      rowSample = new int[rowPairs];
      rowWeight = new double[rowPairs];
      tilePanel = CacheAligned.newArray(panelDoubles);
      int calls = calls(n);
      callQuad = new boolean[calls];
      callRow = new int[calls];
      callStart = new int[calls];
      callCount = new int[calls];
      callAccumulate = new boolean[calls];
    }

    /** Register tiles of four over {@code n} columns. */
    static int tiles(int n) {
      return (n + TILE - 1) / TILE;
    }

    /** Bucket keys: a chunk's groups times the columns. */
    private static long keys(int n, int chunkSize) {
      return (long) ((chunkSize + GROUP - 1) / GROUP) * n;
    }

    /** A group's calls at most: one per tile and one per single row. */
    private static int calls(int n) {
      return tiles(n) + n;
    }

    /** Bytes of the arrays the constructor makes for these sizes (each line one array kind). */
    static long bytes(int n, int chunkSize, long pairs, int stripWidth, long tilePairs,
        long rowPairs, long panelDoubles) {
      long keys = keys(n, chunkSize);
      long tiles = tiles(n);
      long calls = calls(n);
      long ints = 2L * n + (keys + 1) + keys + pairs + 5 * tiles + tilePairs + rowPairs
          + 3 * calls;
      long doubles = pairs + (long) GROUP * stripWidth + (long) n * stripWidth
          + tilePairs * TILE + rowPairs + CacheAligned.length(panelDoubles);
      long booleans = 2 * calls;
      return 4 * ints + 8 * doubles + booleans;
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
