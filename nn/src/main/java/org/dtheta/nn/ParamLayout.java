package org.dtheta.nn;

import java.nio.DoubleBuffer;

/**
 * The public index contract of the flat parameter vector theta (DESIGN.md section 2): W1
 * row-major ({@code theta[j*hidden + p] = W1[j][p]}), then b1, then W2 row-major, then b2. For
 * the MNIST net: 39200 + 50 + 500 + 10 = 39760 entries, W2 at 39250, b2 at 39750. A bias-only
 * first layer has an empty W1 block.
 */
public final class ParamLayout {

  private final int[] rows = new int[4];
  private final int[] cols = new int[4];
  private final int[] offsets = new int[5];

  /** The layout of {@code config}'s parameters. */
  public ParamLayout(NetworkConfig config) {
    set(Block.W1, config.denseFirstLayer() ? config.inputs() : 0, config.hidden());
    set(Block.B1, 1, config.hidden());
    set(Block.W2, config.hidden(), config.outputs());
    set(Block.B2, 1, config.outputs());
    for (int b = 0; b < 4; b++) {
      offsets[b + 1] = Math.addExact(offsets[b], Math.multiplyExact(rows[b], cols[b]));
    }
  }

  private void set(Block b, int r, int c) {
    rows[b.ordinal()] = r;
    cols[b.ordinal()] = c;
  }

  /** P, the number of parameters. */
  public int size() {
    return offsets[4];
  }

  /** Where block {@code b} starts in theta. */
  public int offset(Block b) {
    return offsets[b.ordinal()];
  }

  /** Entries of block {@code b}. */
  public int length(Block b) {
    return offsets[b.ordinal() + 1] - offsets[b.ordinal()];
  }

  /** Rows of block {@code b} as a matrix (1 for biases, 0 for an absent W1). */
  public int rows(Block b) {
    return rows[b.ordinal()];
  }

  /** Columns of block {@code b} as a matrix. */
  public int cols(Block b) {
    return cols[b.ordinal()];
  }

  /** The block holding theta index {@code i}. */
  public Block blockOf(int i) {
    if (i < 0 || i >= size()) {
      throw new IndexOutOfBoundsException("theta index " + i + " outside [0, " + size() + ")");
    }
    for (Block b : Block.values()) {
      if (i < offsets[b.ordinal() + 1]) {
        return b;
      }
    }
    throw new AssertionError();
  }

  /** A view of block {@code b} of {@code theta}, sharing its storage (no copy). */
  public DoubleBuffer view(double[] theta, Block b) {
    checkLength(theta);
    return DoubleBuffer.wrap(theta, offset(b), length(b)).slice();
  }

  /** Entry {@code (r, c)} of block {@code b} of {@code theta}. */
  public double get(double[] theta, Block b, int r, int c) {
    return theta[index(b, r, c)];
  }

  /** The theta index of entry {@code (r, c)} of block {@code b}. */
  public int index(Block b, int r, int c) {
    if (r < 0 || r >= rows(b) || c < 0 || c >= cols(b)) {
      throw new IndexOutOfBoundsException(
          b.label() + "(" + r + ", " + c + ") outside " + rows(b) + "x" + cols(b));
    }
    return offset(b) + r * cols(b) + c;
  }

  /** Throws unless {@code theta} has exactly {@link #size()} entries. */
  public void checkLength(double[] theta) {
    if (theta.length != size()) {
      throw new IllegalArgumentException(
          "parameter vector has " + theta.length + " entries, this network has " + size());
    }
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("ParamLayout[");
    for (Block b : Block.values()) {
      s.append(b.label()).append(' ').append(rows(b)).append('x').append(cols(b))
          .append(" @").append(offset(b)).append(b == Block.B2 ? "" : ", ");
    }
    return s.append("; P=").append(size()).append(']').toString();
  }
}
