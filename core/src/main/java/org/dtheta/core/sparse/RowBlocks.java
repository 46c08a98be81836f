package org.dtheta.core.sparse;

import org.dtheta.core.internal.sparse.RowPairs;

/**
 * A {@link CsrMatrix}'s rows cut into fixed blocks, with single-threaded products restricted to
 * one block, for callers that carry a whole computation through one block of rows at a time
 * while its data stay in cache (the fused curvature products of a two-layer net over blocks of
 * samples): {@code C_blk = A_blk B + 1 r} gathers rows of {@code B}, and
 * {@code C += A_blk^T B_blk} gathers the block's own rows of {@code B}, which a small block keeps
 * in L1. Rows and columns that share many entries are gathered in pairs, as in {@link
 * CsrMatrix}'s own products ({@link RowPairs}), so each result is the same finite number it would
 * be one row or column at a time. Column pairs are found only on {@link #pairColumns} (on
 * MNIST they cost more than one product's transposed gathers save). Costs a column-sorted copy
 * of the matrix; any number of threads may use one instance on different blocks.
 */
public final class RowBlocks {

  private final CsrMatrix a;
  private final CsrMatrix.BlockedTranspose byColumn;
  /** Null with the scalar kernels, whose gathers gain nothing from pairs. */
  private final RowPairs rowPairs;
  /** Null until {@link #pairColumns}; benign race (immutable once published). */
  private volatile RowPairs columnPairs;

  /** The rows of {@code a} in blocks of {@code blockRows} (the last may be shorter). */
  public RowBlocks(CsrMatrix a, int blockRows) {
    if (blockRows < 1) {
      throw new IllegalArgumentException("rows per block must be >= 1, not " + blockRows);
    }
    this.a = a;
    this.byColumn = new CsrMatrix.BlockedTranspose(a, blockRows);
    boolean pairs = SparseKernels.selected() != SparseKernels.scalar();
    this.rowPairs = pairs ? a.rowPairs() : null;
  }

  /**
   * Finds the pairs of columns that {@link #multiplyTransposedAdd} then gathers together
   * (neighbouring pixels share many images), for callers with more than one product ahead: the
   * results keep their bits either way. Idempotent; call it outside concurrent products.
   */
  public void pairColumns() {
    if (columnPairs == null) {
      columnPairs = byColumn.columnPairs();
    }
  }

  /** The matrix. */
  public CsrMatrix matrix() {
    return a;
  }

  /** Rows per block (all but the last block). */
  public int blockRows() {
    return byColumn.blockRows;
  }

  /** Number of blocks. */
  public int blocks() {
    return byColumn.blocks;
  }

  /** The first row of block {@code blk}. */
  public int blockStart(int blk) {
    return Math.min(a.rows(), blk * byColumn.blockRows);
  }

  /** One past the last row of block {@code blk}. */
  public int blockEnd(int blk) {
    return blockStart(blk + 1);
  }

  /**
   * {@code C = A_blk B + 1 r}: row {@code i - blockStart(blk)} of C ({@code n} entries from
   * {@code cOff}, leading dimension {@code ldc}) is {@code r} ({@code startRow[rowOff ..]}) plus
   * the sparse row {@code i} of A times {@code B} ({@code cols x n}, row {@code p} at {@code bOff
   * + p ldb}). With {@code startRow} null the rows start from zero.
   */
  public void multiply(int blk, double[] b, int bOff, int ldb, int n, double[] startRow,
      int rowOff, double[] c, int cOff, int ldc) {
    int r0 = blockStart(blk);
    int r1 = blockEnd(blk);
    checkBlock(blk);
    checkDense("B", b, bOff, a.cols(), n, ldb);
    checkDense("C", c, cOff, r1 - r0, n, ldc);
    if (startRow != null) {
      checkDense("startRow", startRow, rowOff, 1, n, n);
    }
    a.gatherRows(SparseKernels.selected(), rowPairs, null, r0, r1, n, b, bOff, ldb, startRow,
        rowOff, c, cOff - r0 * ldc, ldc, startRow != null);
  }

  /**
   * {@code C += A_blk^T B_blk}: row {@code j} of C ({@code n} entries at {@code cOff + j ldc})
   * gains the sum over the rows {@code i} of block {@code blk} of {@code A[i, j]} times row
   * {@code i - blockStart(blk)} of {@code B_blk} ({@code n} entries at {@code bOff + (i -
   * blockStart(blk)) ldb}). Each entry of C adds its terms in increasing row order.
   */
  public void multiplyTransposedAdd(int blk, double[] b, int bOff, int ldb, int n, double[] c,
      int cOff, int ldc) {
    int r0 = blockStart(blk);
    checkBlock(blk);
    checkDense("B", b, bOff, blockEnd(blk) - r0, n, ldb);
    checkDense("C", c, cOff, a.cols(), n, ldc);
    byColumn.gatherColumns(SparseKernels.selected(), columnPairs, null, blk, 0, a.cols(), n, b,
        bOff - r0 * ldb, ldb, c, cOff, ldc);
  }

  private void checkBlock(int blk) {
    if (blk < 0 || blk >= blocks()) {
      throw new IndexOutOfBoundsException("block " + blk + " outside [0, " + blocks() + ")");
    }
  }

  private static void checkDense(String what, double[] x, int off, int rows, int n, int ld) {
    if (n < 1 || ld < n || off < 0 || (rows > 0 && (long) off + (long) (rows - 1) * ld + n > x.length)) {
      throw new IllegalArgumentException(
          what + ": " + rows + " x " + n + " with leading dimension " + ld + " from offset " + off
              + " does not fit an array of " + x.length);
    }
  }
}
