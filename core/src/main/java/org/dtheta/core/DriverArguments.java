package org.dtheta.core;

import java.util.Objects;

/**
 * The drivers' argument checks: array lengths must equal what the tape needs exactly (a longer
 * array is refused too, as it would mean the caller's idea of P or m is not the tape's), counts
 * must be at least 1. Messages name the method, the argument, the expected and the actual value.
 */
final class DriverArguments {

  private DriverArguments() {}

  /** The output of a driver: not null. */
  static Var output(String method, String name, Var output) {
    return Objects.requireNonNull(output, () -> method + ": " + name + " is null");
  }

  /** {@code array.length == expected}, {@code expected} being described by {@code formula}. */
  static void length(String method, String name, double[] array, long expected, String formula) {
    Objects.requireNonNull(array, () -> method + ": " + name + " is null");
    if (array.length != expected) {
      throw new IllegalArgumentException(method + ": " + name + " has length " + array.length
          + ", expected " + formula + " = " + expected);
    }
  }

  /** A length-P vector ({@code x}, {@code v}, a gradient). */
  static void vector(String method, String name, double[] array, int p) {
    length(method, name, array, p, "P");
  }

  /** A flat {@code P x m} matrix (directions, results). */
  static void matrix(String method, String name, double[] array, int p, int m) {
    length(method, name, array, (long) p * m, "P*m = " + p + "*" + m);
  }

  /** A count of directions or a batch size: at least 1. */
  static void count(String method, String name, int count) {
    if (count < 1) {
      throw new IllegalArgumentException(
          method + ": " + name + " = " + count + ", expected at least 1");
    }
  }

  /** A scalar output, as gradients and Hessians need. */
  static void scalar(String method, String name, Var output) {
    if (output.size() != 1) {
      throw new ShapeException(
          method + ": " + name + " " + output + " must be 1x1 (a scalar), not " + output.shape());
    }
  }
}
