"""A Keras-like surface over modelhost: Sequential models trained and served by the server.

    from modelhost import Client
    from modelhost.keras import Sequential, Dense

    model = Sequential(client=Client(url, key), name="diabetes")
    model.add(Dense(10, input_dim=8, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=10, batch_size=32)
    preds = model.predict(x_test)
"""

from .history import History
from .layers import Activation, BatchNormalization, Dense, Dropout, Input, Layer
from .sequential import Sequential

__all__ = ["Activation", "BatchNormalization", "Dense", "Dropout", "History", "Input", "Layer", "Sequential"]
