package org.dtheta.core;

/** Thrown when the shapes given to an op do not fit; the message names the op and the shapes. */
public class ShapeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that names the op and both shapes. */
  public ShapeException(String message) {
    super(message);
  }

  static ShapeException of(String op, Var a, Var b, String expectation) {
    return new ShapeException(op + ": shapes " + a.shape() + " and " + b.shape() + " do not fit (" + expectation + ")");
  }
}
