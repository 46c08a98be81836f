package org.dtheta.nn;

import java.util.Arrays;
import org.dtheta.core.Ops;
import org.dtheta.core.Var;
import org.dtheta.core.sparse.CsrMatrix;

/**
 * The first-layer pre-activation {@code X W1 + 1 b1} of a net of any depth, through the
 * compressed-sparse-row affine op when most inputs are zero: the work and memory traffic then
 * scale with the lit pixels only, in every sweep, and the bias rides along in the product
 * instead of costing passes of its own over the {@code k x h1} tangents.
 */
final class FirstLayer {

  /** Inputs with more zeros than this go through the sparse product (MNIST: about 81% zeros). */
  static final double SPARSE_INPUT_ZERO_FRACTION = 0.5;

  private FirstLayer() {}

  /** {@code d}'s inputs in sparse form when they take the sparse product, else null. */
  static CsrMatrix sparseInputs(Dataset d) {
    return CsrMatrix.zeroFraction(d.x()) > SPARSE_INPUT_ZERO_FRACTION
        ? CsrMatrix.fromDense(d.x(), d.k(), d.inputs())
        : null;
  }

  /**
   * The inputs and targets of one part of a batch: {@code x} dense ({@code n x inputs}) when the
   * part takes the dense product, else null and {@code sparseX} holds them.
   *
   * @param x the part's inputs, dense, or null when {@code sparseX} holds them
   * @param sparseX the part's inputs in sparse form, or null
   * @param targets the part's targets ({@code n x outputs})
   * @param n samples in the part
   */
  record Part(double[] x, CsrMatrix sparseX, double[] targets, int n) {}

  /**
   * A batch's inputs in sparse form, made once on first use, and the parts of the batch cut from
   * them: a part's rows of the batch's sparse inputs are the entries the part's own dense rows
   * give, so a split batch neither copies its dense rows nor scans them again per part.
   */
  static final class Batch {
    private final Dataset data;
    private final boolean mayBeSparse;
    private CsrMatrix sparse;
    private boolean tested;

    /**
     * The parts of {@code data}; without {@code mayBeSparse} (no weights on the inputs: {@code X
     * + 1 b1}) every part is dense.
     */
    Batch(Dataset data, boolean mayBeSparse) {
      this.data = data;
      this.mayBeSparse = mayBeSparse;
    }

    /**
     * Samples {@code [first, first + n)}: sparse when their share of zeros passes {@link
     * #SPARSE_INPUT_ZERO_FRACTION} (the test {@link #sparseInputs} makes on the dense rows), else
     * a copy of the dense rows.
     */
    Part part(int first, int n) {
      int k = data.k();
      if (!tested) {
        sparse = mayBeSparse ? sparseInputs(data) : null;
        tested = true;
      }
      double[] targets = n == k ? data.targets()
          : Arrays.copyOfRange(data.targets(), first * data.outputs(), (first + n) * data.outputs());
      if (sparse != null) {
        CsrMatrix rows = n == k ? sparse : sparse.rows(first, n);
        long entries = (long) n * data.inputs();
        // the zero fraction of the dense rows: fromDense keeps exactly the entries != 0
        if ((double) (entries - rows.nonZeros()) / entries > SPARSE_INPUT_ZERO_FRACTION) {
          return new Part(null, rows, targets, n);
        }
      }
      Dataset rows = n == k ? data : BatchParts.slice(data, first, n);
      return new Part(rows.x(), n == k || !mayBeSparse ? sparse : sparseInputs(rows), targets, n);
    }
  }

  /**
   * {@code X W1 + 1 b1}: by the sparse affine op on {@code sparseX} when it is not null, else by
   * the dense product of the constant {@code x}.
   */
  static Var affine(Var x, CsrMatrix sparseX, Var w1, Var b1) {
    if (sparseX != null) {
      return Ops.sparseAffine(sparseX, w1, b1);
    }
    return Ops.addRowBroadcast(Ops.matmul(x, w1), b1);
  }
}
