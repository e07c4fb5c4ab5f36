const express = require('express');
const { body, validationResult } = require('express-validator');
const db = require('../db');

const router = express.Router();

router.get('/', async (req, res) => {
  const rows = await db.query('SELECT id, title FROM books ORDER BY title');
  res.json(rows);
});

router.post(
  '/',
  body('title').isString().notEmpty(),
  async (req, res) => {
    const errors = validationResult(req);
    if (!errors.isEmpty()) {
      return res.status(400).json({ errors: errors.array() });
    }
    const { title } = req.body;
    const result = await db.query('INSERT INTO books (title) VALUES (?)', [title]);
    res.status(201).json({ id: result.insertId, title });
  },
);

module.exports = router;
