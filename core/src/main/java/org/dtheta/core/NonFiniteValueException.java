package org.dtheta.core;

/**
 * Thrown in debug mode ({@link Tape#setDebug(boolean)}) by the first op whose output holds NaN
 * or infinity; the message names the op, its position on the tape, the sweep and the index.
 */
public class NonFiniteValueException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a descriptive message. */
  public NonFiniteValueException(String message) {
    super(message);
  }
}
