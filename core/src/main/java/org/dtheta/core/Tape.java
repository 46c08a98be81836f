package org.dtheta.core;

import java.util.concurrent.atomic.AtomicReference;
import org.dtheta.core.kernel.Kernels;
import org.eclipse.collections.api.list.ListIterable;
import org.eclipse.collections.api.list.MutableList;
import org.eclipse.collections.impl.list.mutable.FastList;

/**
 * Records a computation once and replays it: values forward, adjoints in reverse, and tangents
 * through both sweeps for forward-over-reverse second derivatives.
 *
 * <p>Build a function by creating inputs ({@link #variable}, {@link #constant}) and applying
 * {@link Ops}; each op is evaluated as it is recorded. Afterwards, {@link #setVariables} and the
 * sweeps re-evaluate the same graph at new inputs without allocating: every buffer is created at
 * record time (tangent buffers when a direction count is first used, and again only to grow).
 * {@link #setConstant} gives a constant new data of the same shape (the next minibatch of the
 * same size); for another size, record a new tape with the same code.
 *
 * <p>The variables, in creation order, make up one flat parameter vector: variable {@code v}'s
 * row-major entries start at offset {@link #parameterOffset(Var)}. The drivers ({@link
 * Gradients}, {@link Hessians}, {@link Jacobians}) speak that flat vector.
 *
 * <p><b>Threads.</b> A tape is not thread-safe: it holds the one set of buffers every sweep
 * writes. Use it from one thread at a time; to evaluate on many threads, record one tape per
 * thread from the same code (constants may wrap the same data arrays, which the sweeps only
 * read). A tape used from a second thread while a call is running fails at once with an {@link
 * IllegalStateException} naming the thread that holds it, instead of returning wrong numbers:
 * every public method that records, evaluates, sweeps or copies values in or out (and every
 * driver call, as a whole) holds the tape for its duration. Calls nest on one thread (a driver
 * calling the tape's methods). A sequence of low-level calls that must not be interleaved with
 * another thread's, such as {@link #setVariables}, {@link #forward()} and {@link #reverse},
 * can be held as one with {@link #use()}. The engine's own worker threads, which split one
 * op's kernels across the cores, never call the tape and are not affected.
 */
public final class Tape {

  private final MutableList<Var> nodes = FastList.newList();
  private final MutableList<Var> variables = FastList.newList();
  private final MutableList<Op> ops = FastList.newList();
  private int parameterCount;
  private int directionCapacity;
  /**
   * How many directions the variables' tangents hold as {@link #setTangents} loaded them, here
   * or in the tape that handed its buffers here ({@link #handTangentsTo}); 0 when unknown.
   */
  private int loadedDirections;
  private boolean debug = Boolean.getBoolean("dtheta.debug");
  /** The thread inside a call on this tape, or null when the tape is free. */
  private final AtomicReference<Thread> user = new AtomicReference<>();
  /** How deeply the {@link #user} thread's calls are nested; only that thread touches it. */
  private int useDepth;
  /**
   * Counts the changes to values and adjoints (recording, new inputs, forward and reverse
   * sweeps); a {@link HessianOperator} is valid while it is unchanged. Tangent sweeps leave it.
   */
  private long valuesVersion;

  /** Creates an empty tape. */
  public Tape() {}

  /** A differentiable input of the given shape, initially zero. */
  public Var variable(int rows, int cols) {
    return variable(new double[checkedSize(rows, cols)], rows, cols);
  }

  /** A differentiable input holding a copy of {@code values} (row-major). */
  public Var variable(double[] values, int rows, int cols) {
    checkLength("variable", values, rows, cols);
    enter();
    try {
      Var v =
          new Var(this, nodes.size(), rows, cols, Var.Kind.VARIABLE, true, parameterCount,
              values.clone());
      parameterCount = Math.addExact(parameterCount, rows * cols);
      nodes.add(v);
      variables.add(v);
      valuesVersion++;
      return v;
    } finally {
      exit();
    }
  }

  /**
   * A fixed input wrapping {@code values} without copying (data matrices can be large). Changes
   * the caller makes to the array are seen by the next {@link #forward()}, until {@link
   * #setConstant} gives the constant values of its own (from then on the array is neither read
   * nor written).
   */
  public Var constant(double[] values, int rows, int cols) {
    checkLength("constant", values, rows, cols);
    enter();
    try {
      Var v = new Var(this, nodes.size(), rows, cols, Var.Kind.CONSTANT, false, -1, values);
      nodes.add(v);
      valuesVersion++;
      return v;
    } finally {
      exit();
    }
  }

  /**
   * Rebinds a constant of this tape to new values of the same shape: copies {@code values}
   * (row-major, exactly {@code rows * cols} of them) into the constant's buffer, for instance the
   * next minibatch of the same size. The next evaluation (a driver call, or {@link #forward()})
   * computes with them; like {@link #setVariables}, this runs no sweep itself.
   *
   * <p>The buffer is the tape's own: the array the constant was created with ({@link #constant}
   * wraps it without copying) is never written; the first rebinding replaces it by a private
   * copy, which later rebindings overwrite without allocating. So other tapes wrapping the same
   * data array (one tape per thread) are not affected.
   *
   * <p>A {@link HessianOperator} taken before becomes stale (its products throw), since the
   * values it linearised no longer hold; take a new one with {@link Hessians#at}.
   *
   * <p>For data of another size, record again: keep the recording in one method that takes the
   * data and returns the loss, and call it once per size (one tape per size); a tape's shapes
   * never change.
   *
   * @throws IllegalArgumentException if {@code constant} belongs to another tape or is not a
   *     constant (a variable takes new values through {@link #setVariables}), or if {@code
   *     values} does not hold exactly {@code rows * cols} entries
   * @throws IllegalStateException if another thread is using the tape
   */
  public void setConstant(Var constant, double[] values) {
    if (constant.tape != this) {
      throw new IllegalArgumentException(
          "setConstant: " + constant + " belongs to another tape, not to this one");
    }
    if (constant.kind != Var.Kind.CONSTANT) {
      throw new IllegalArgumentException("setConstant: " + constant + " is not a constant but a "
          + (constant.kind == Var.Kind.VARIABLE
              ? "variable (give variables new values with setVariables)"
              : "computed node (its value follows from the inputs)"));
    }
    if (values.length != constant.size()) {
      throw new ShapeException("setConstant: " + values.length + " values for constant "
          + constant + ", which needs exactly " + constant.rows + " x " + constant.cols + " = "
          + constant.size() + " (for another size, record a new tape)");
    }
    enter();
    try {
      valuesVersion++;
      if (!constant.ownsValue) {
        constant.value = new double[constant.size()];
        constant.ownsValue = true;
      }
      System.arraycopy(values, 0, constant.value, 0, values.length);
    } finally {
      exit();
    }
  }

  /** A {@code 1 x 1} constant. */
  public Var scalarConstant(double value) {
    return constant(new double[] {value}, 1, 1);
  }

  /** Number of entries of all variables together: the length of the flat parameter vector. */
  public int parameterCount() {
    return parameterCount;
  }

  /** Where {@code variable}'s entries start in the flat parameter vector. */
  public int parameterOffset(Var variable) {
    requireOwn(variable);
    if (variable.kind != Var.Kind.VARIABLE) {
      throw new IllegalArgumentException(variable + " is not a variable");
    }
    return variable.parameterOffset;
  }

  /** The number of recorded ops. */
  public int size() {
    return ops.size();
  }

  /** Turns on the check that names the first op producing NaN or infinity (off by default). */
  public Tape setDebug(boolean on) {
    this.debug = on;
    return this;
  }

  /** Whether the non-finite check is on. */
  public boolean isDebug() {
    return debug;
  }

  /** Copies a flat parameter vector into the variables' values (no sweep is run). */
  public void setVariables(double[] theta) {
    checkVector("parameter vector", theta.length);
    enter();
    try {
      valuesVersion++;
      for (Var v : variables) {
        Kernels.copy(v.size(), theta, v.parameterOffset, v.value, 0);
      }
    } finally {
      exit();
    }
  }

  /** Copies the variables' values into a flat parameter vector. */
  public void getVariables(double[] theta) {
    checkVector("theta", theta.length);
    enter();
    try {
      for (Var v : variables) {
        Kernels.copy(v.size(), v.value, 0, theta, v.parameterOffset);
      }
    } finally {
      exit();
    }
  }

  /** Re-evaluates every op's value from the current inputs. */
  public void forward() {
    enter();
    try {
      valuesVersion++;
      for (Op op : ops) {
        op.forward();
        if (debug) {
          check(op, "value", op.out.value, op.out.size());
        }
      }
    } finally {
      exit();
    }
  }

  /**
   * Reverse sweep: zeroes every adjoint, seeds {@code output}'s adjoint with {@code seed} (null
   * means 1 for a scalar output) and accumulates adjoints back to the variables.
   */
  public void reverse(Var output, double[] seed) {
    requireOwn(output);
    requireActive(output);
    enter();
    try {
      valuesVersion++;
      reverseSweep(output, seed);
    } finally {
      exit();
    }
  }

  private void reverseSweep(Var output, double[] seed) {
    for (Var v : nodes) {
      if (v.active) {
        Kernels.fill(v.size(), 0.0, v.adjoint, 0);
      }
    }
    seed(output, seed, output.adjoint);
    for (int i = ops.size() - 1; i >= 0; i--) {
      Op op = ops.get(i);
      if (op.out.active) {
        op.vjp();
        if (debug) {
          for (Var in : op.inputs()) {
            if (in.active) {
              check(op, "adjoint of input " + in, in.adjoint, in.size());
            }
          }
        }
      }
    }
  }

  /**
   * Loads {@code m} directions into the variables' tangents. {@code directions} is the flat
   * {@code P x m} matrix (row-major: entry {@code p*m + d} is component {@code p} of direction
   * {@code d}) of exactly {@code P*m} entries.
   *
   * @throws IllegalArgumentException if {@code m < 1} or the length is not {@code P*m}
   */
  public void setTangents(double[] directions, int m) {
    checkFlat("directions", directions.length, m);
    enter();
    try {
      ensureDirections(m);
      for (Var v : variables) {
        // (entries x m) block of the direction matrix -> (rows, m, cols) tangent layout
        Kernels.transposeEach(v.rows, v.cols, m, directions, v.parameterOffset * m, v.tangent, 0);
      }
      loadedDirections = m;
    } finally {
      exit();
    }
  }

  /**
   * Loads {@code m} directions into one variable's tangents only: {@code directions} is that
   * variable's {@code size() x m} block of the flat direction matrix (row-major, exactly {@code
   * size() * m} entries). The other variables keep their tangents, which must already be what
   * the sweep needs for {@code m} directions (zeros are zeros for any {@code m}; when {@code m}
   * exceeds the directions the tape has held, they start from zero). Directions that differ only
   * in a few small variables (unit directions on one layer) are then loaded without
   * transposing the unchanged, larger rest each time.
   *
   * @throws IllegalArgumentException if {@code variable} is not one of this tape's variables,
   *     {@code m < 1} or the length is not {@code size() * m}
   */
  public void setTangents(Var variable, double[] directions, int m) {
    requireOwn(variable);
    if (!variables.contains(variable)) {
      throw new IllegalArgumentException(variable + " is not a variable of this tape");
    }
    if (m < 1 || directions.length != (long) variable.size() * m) {
      throw new IllegalArgumentException("directions of " + variable + " have length "
          + directions.length + ", expected " + variable.size() + " x " + m);
    }
    enter();
    try {
      ensureDirections(m);
      Kernels.transposeEach(variable.rows, variable.cols, m, directions, 0, variable.tangent, 0);
      loadedDirections = 0;
    } finally {
      exit();
    }
  }

  /**
   * Whether the variables' tangents still hold the {@code m} directions that {@link
   * #setTangents} last loaded, either into this tape or into the tape that then handed its
   * buffers here ({@link #handTangentsTo}) with every variable's tangent. A caller sweeping the
   * same directions over several parts of its data loads them into the first part's tape only
   * and skips {@code setTangents} on the others while this holds: for 50 directions of the
   * MNIST network that is a 16 MB transposition per part saved.
   */
  public boolean holdsLoadedTangents(int m) {
    return m > 0 && loadedDirections == m;
  }

  /** Pushes the variables' tangents forward through every op (JVP sweep). */
  public void forwardTangents(int m) {
    enter();
    try {
      ensureDirections(m);
      for (Op op : ops) {
        if (op.out.active) {
          op.jvp(m);
          if (debug) {
            check(op, "tangent", op.out.tangent, op.out.size() * m);
          }
        }
      }
    } finally {
      exit();
    }
  }

  /**
   * Second-order reverse sweep, after {@link #forward()}, {@link #reverse} and {@link
   * #forwardTangents}: seeds {@code output}'s adjoint tangents with {@code seed} (null means
   * zero) and accumulates them back to the variables, every other adjoint tangent starting
   * from zero.
   */
  public void reverseTangents(Var output, double[] seed, int m) {
    enter();
    try {
      beginReverseTangents(output, seed, m);
      for (int i = ops.size() - 1; i >= 0; i--) {
        reverseTangentStep(ops.get(i), m);
      }
      endReverseTangents(m);
    } finally {
      exit();
    }
  }

  /**
   * Starts a second-order reverse sweep. Adjoint tangents are not zero-filled up front: each
   * node is marked unset and made zero (or overwritten by an op that can) when its first
   * contribution arrives, which spares a pass over every {@code size x m} buffer.
   */
  void beginReverseTangents(Var output, double[] seed, int m) {
    requireOwn(output);
    requireActive(output);
    ensureDirections(m);
    if (seed != null && seed.length != output.size() * m) {
      throw new IllegalArgumentException(
          "adjoint tangent seed has length " + seed.length + ", expected " + output.size() * m);
    }
    for (Var v : nodes) {
      v.adjointTangentUnset = v.active;
    }
    if (seed != null) {
      Kernels.copy(seed.length, seed, 0, output.adjointTangent, 0);
      output.adjointTangentUnset = false;
    }
  }

  /** One op's share of the second-order reverse sweep (a no-op for an inactive output). */
  void reverseTangentStep(Op op, int m) {
    if (!op.out.active) {
      return;
    }
    // a node nothing flowed back to (off the path to the output) has zero adjoint tangent
    zeroIfUnset(op.out, m);
    Var[] inputs = op.inputs();
    if (!op.writesFreshAdjointTangents() || sharesAnActiveInput(inputs)) {
      for (Var in : inputs) {
        zeroIfUnset(in, m);
      }
    }
    op.vjpTangent(m);
    for (Var in : inputs) {
      in.adjointTangentUnset = false;
      if (debug && in.active) {
        check(op, "adjoint tangent of input " + in, in.adjointTangent, in.size() * m);
      }
    }
  }

  /** Ends the sweep: what nothing reached (a variable the output ignores) is zero. */
  void endReverseTangents(int m) {
    for (Var v : nodes) {
      zeroIfUnset(v, m);
    }
  }

  private static void zeroIfUnset(Var v, int m) {
    if (v.adjointTangentUnset) {
      Kernels.fill(v.size() * m, 0.0, v.adjointTangent, 0);
      v.adjointTangentUnset = false;
    }
  }

  /** Whether an active node appears twice among an op's inputs (as in {@code x * x}). */
  private static boolean sharesAnActiveInput(Var[] inputs) {
    for (int i = 0; i < inputs.length; i++) {
      for (int j = i + 1; j < inputs.length; j++) {
        if (inputs[i] == inputs[j] && inputs[i].active) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Allocates now the tangent and adjoint-tangent buffers that sweeps of {@code m} directions
   * need (a sweep allocates them itself when missing): a caller that knows its next product can
   * pay for the memory while it prepares, not inside the product.
   *
   * @throws IllegalArgumentException if {@code m < 1}
   */
  public void reserveTangents(int m) {
    enter();
    try {
      ensureDirections(m);
    } finally {
      exit();
    }
  }

  /**
   * Drops every node's tangent and adjoint-tangent buffers (values and adjoints stay). A caller
   * that splits a batched product over several tapes releases each tape after its sweep, so only
   * one tape's {@code size x m} buffers are alive at a time; the next sweep allocates afresh.
   */
  public void releaseTangents() {
    enter();
    try {
      for (Var v : nodes) {
        v.tangent = null;
        v.adjointTangent = null;
      }
      directionCapacity = 0;
      loadedDirections = 0;
    } finally {
      exit();
    }
  }

  /**
   * Moves this tape's tangent and adjoint-tangent buffers to {@code next}, node by node (the
   * {@code i}-th active node's to {@code next}'s {@code i}-th, where that one is active and holds
   * smaller buffers or none), then drops the rest as {@link #releaseTangents} does. Meant for
   * the same function recorded on another part of the data: its next sweep reuses the buffers
   * instead of allocating and zeroing a fresh set. Moved buffers hold stale numbers, which is
   * safe: every sweep overwrites tangents and starts adjoint tangents unset.
   */
  public void handTangentsTo(Tape next) {
    if (next == this) {
      return;
    }
    enter();
    try {
      next.enter();
      try {
        handTangents(next);
      } finally {
        next.exit();
      }
    } finally {
      exit();
    }
  }

  private void handTangents(Tape next) {
    int shared = Math.min(nodes.size(), next.nodes.size());
    // next's variables keep their directions if none receives a buffer, take this tape's if
    // each receives its counterpart's, and hold unknown numbers otherwise
    int variablesReached = 0;
    boolean counterparts = next.variables.size() == variables.size();
    for (int i = 0; i < shared; i++) {
      Var from = nodes.get(i);
      Var to = next.nodes.get(i);
      if (from.tangent != null && to.active
          && (to.tangent == null || to.tangent.length < from.tangent.length)) {
        to.tangent = from.tangent;
        to.adjointTangent = from.adjointTangent;
        if (to.kind == Var.Kind.VARIABLE) {
          variablesReached++;
          counterparts &= from.kind == Var.Kind.VARIABLE && from.rows == to.rows
              && from.cols == to.cols && from.parameterOffset == to.parameterOffset;
        }
      }
    }
    // next's capacity is re-established node by node by its next ensureDirections
    next.directionCapacity = 0;
    if (variablesReached > 0) {
      boolean all = counterparts && variablesReached == variables.size();
      next.loadedDirections = all ? loadedDirections : 0;
    }
    releaseTangents();
  }

  /** Copies the variables' adjoints into a flat gradient vector. */
  public void getAdjoints(double[] gradient) {
    checkVector("gradient", gradient.length);
    enter();
    try {
      for (Var v : variables) {
        Kernels.copy(v.size(), v.adjoint, 0, gradient, v.parameterOffset);
      }
    } finally {
      exit();
    }
  }

  /**
   * Copies the variables' adjoint tangents into a flat {@code P x m} matrix (row-major) of
   * exactly {@code P*m} entries.
   *
   * @throws IllegalArgumentException if {@code m < 1} or the length is not {@code P*m}
   */
  public void getAdjointTangents(double[] out, int m) {
    checkFlat("out", out.length, m);
    enter();
    try {
      for (Var v : variables) {
        Kernels.transposeEach(v.rows, m, v.cols, v.adjointTangent, 0, out, v.parameterOffset * m);
      }
    } finally {
      exit();
    }
  }

  /**
   * Copies a node's tangents into a flat {@code size x m} matrix (row-major) of exactly {@code
   * size*m} entries.
   *
   * @throws IllegalArgumentException if {@code m < 1} or the length is not {@code size*m}
   */
  public void getTangents(Var node, double[] out, int m) {
    requireOwn(node);
    if (m < 1) {
      throw new IllegalArgumentException("direction count must be >= 1, not " + m);
    }
    if (out.length != (long) node.size() * m) {
      throw new IllegalArgumentException(
          "out has length " + out.length + ", expected " + node.size() + " x " + m);
    }
    if (!node.active) {
      Kernels.fill(node.size() * m, 0.0, out, 0);
      return;
    }
    enter();
    try {
      Kernels.transposeEach(node.rows, m, node.cols, node.tangent, 0, out, 0);
    } finally {
      exit();
    }
  }

  // ---- inspection (package-private: tests check that replays keep their buffers) ----

  /** Every node in creation order, read-only. */
  ListIterable<Var> nodes() {
    return nodes.asUnmodifiable();
  }

  /** The recorded ops in order, read-only. */
  ListIterable<Op> ops() {
    return ops.asUnmodifiable();
  }

  // ---- recording (used by Ops) ----

  Var newNode(int rows, int cols, boolean active) {
    double[] value = new double[checkedSize(rows, cols)];
    enter();
    try {
      Var v = new Var(this, nodes.size(), rows, cols, Var.Kind.COMPUTED, active, -1, value);
      if (active && directionCapacity > 0) {
        v.ensureDirections(directionCapacity);
      }
      nodes.add(v);
      valuesVersion++;
      return v;
    } finally {
      exit();
    }
  }

  <T extends Op> Var record(T op) {
    enter();
    try {
      valuesVersion++;
      op.out.producer = op;
      ops.add(op);
      op.forward();
      if (debug) {
        check(op, "value", op.out.value, op.out.size());
      }
      return op.out;
    } finally {
      exit();
    }
  }

  // ---- the one-thread-at-a-time guard ----

  /**
   * Holds the tape for the calling thread until the returned handle is closed, so that a
   * sequence of calls (say {@link #setVariables}, {@link #forward()}, {@link #reverse}, {@link
   * #getAdjoints}) runs as one: another thread calling in meanwhile fails with an {@link
   * IllegalStateException} instead of interleaving. The drivers do this for their own calls.
   * Use with try-with-resources; handles nest on one thread.
   *
   * @throws IllegalStateException if another thread is using the tape
   */
  public Use use() {
    enter();
    return new Use();
  }

  /** A hold on a tape by one thread, from {@link #use()}; closing it releases the hold. */
  public final class Use implements AutoCloseable {

    private boolean closed;

    private Use() {}

    /**
     * Releases this hold (the tape is free once every nested hold and call has ended). Closing
     * twice does nothing.
     *
     * @throws IllegalStateException if called from a thread other than the one holding the tape
     */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      if (user.get() != Thread.currentThread()) {
        throw new IllegalStateException(
            "Tape.Use must be closed by the thread that opened it, not " + Thread.currentThread());
      }
      closed = true;
      exit();
    }
  }

  /**
   * Marks the calling thread as using the tape (nested calls from the same thread count up).
   *
   * @throws IllegalStateException if another thread is inside a call on this tape
   */
  void enter() {
    Thread me = Thread.currentThread();
    Thread holder = user.get();
    if (holder == me) {
      useDepth++;
      return;
    }
    if (holder == null && user.compareAndSet(null, me)) {
      useDepth = 1;
      return;
    }
    throw inUse(user.get());
  }

  /** Ends a call begun by {@link #enter()}; the outermost one frees the tape. */
  void exit() {
    if (--useDepth == 0) {
      user.set(null);
    }
  }

  private static IllegalStateException inUse(Thread holder) {
    String who = holder == null ? "another thread" : "thread \"" + holder.getName() + "\"";
    return new IllegalStateException(
        "tape is in use by " + who + " (this call is on thread \""
            + Thread.currentThread().getName() + "\"); a Tape is not thread-safe: record one"
            + " tape per thread from the same code (data arrays may be shared, read-only), or"
            + " make the threads take turns with a lock of your own");
  }

  /** See {@link #valuesVersion}. */
  long valuesVersion() {
    return valuesVersion;
  }

  void requireOwn(Var v) {
    if (v.tape != this) {
      throw new IllegalArgumentException(v + " belongs to another tape");
    }
  }

  private void ensureDirections(int m) {
    if (m < 1) {
      throw new IllegalArgumentException("direction count must be at least 1, not " + m);
    }
    if (m <= directionCapacity) {
      return;
    }
    if (m > loadedDirections) {
      loadedDirections = 0; // a variable's tangent may be reallocated (zero) below
    }
    for (Var v : nodes) {
      if (v.active) {
        v.ensureDirections(m);
      }
    }
    directionCapacity = m;
  }

  private void seed(Var output, double[] seed, double[] target) {
    if (seed == null) {
      if (output.size() != 1) {
        throw new IllegalArgumentException(
            "output " + output + " is not a scalar: give an adjoint seed of length " + output.size());
      }
      target[0] = 1.0;
    } else {
      if (seed.length != output.size()) {
        throw new IllegalArgumentException(
            "adjoint seed has length " + seed.length + ", output " + output + " has " + output.size());
      }
      Kernels.copy(seed.length, seed, 0, target, 0);
    }
  }

  private void requireActive(Var output) {
    if (!output.active) {
      throw new IllegalArgumentException(
          "output " + output + " does not depend on any variable: nothing to differentiate");
    }
  }

  /** A flat vector must hold exactly P entries. */
  private void checkVector(String what, int length) {
    if (length != parameterCount) {
      throw new IllegalArgumentException(
          what + " has length " + length + ", the tape's variables need " + parameterCount);
    }
  }

  /** A flat {@code P x m} matrix holds exactly {@code P*m} entries, {@code m >= 1}. */
  private void checkFlat(String what, int length, int m) {
    if (m < 1) {
      throw new IllegalArgumentException("direction count must be >= 1, not " + m);
    }
    if (length != (long) parameterCount * m) {
      throw new IllegalArgumentException(
          what + " has length " + length + ", expected " + parameterCount + " x " + m);
    }
  }

  private void check(Op op, String what, double[] buf, int n) {
    int bad = Kernels.firstNonFinite(n, buf, 0);
    if (bad >= 0) {
      throw new NonFiniteValueException(
          op.name() + " (op #" + ops.indexOf(op) + " of " + ops.size() + ", output " + op.out.shape()
              + ") produced " + buf[bad] + " in its " + what + " at index " + bad);
    }
  }

  private static int checkedSize(int rows, int cols) {
    if (rows < 1 || cols < 1) {
      throw new ShapeException("shape must be at least 1x1, not " + rows + "x" + cols);
    }
    return Math.multiplyExact(rows, cols);
  }

  private static void checkLength(String what, double[] values, int rows, int cols) {
    int n = checkedSize(rows, cols);
    if (values.length != n) {
      throw new ShapeException(
          what + ": " + values.length + " values do not fill a " + rows + "x" + cols + " matrix");
    }
  }
}
