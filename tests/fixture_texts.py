"""The fixture leaflets' translations, and a TBX glossary, as the tests write them into a project."""

# The fixture leaflet's Spanish; template strings come from the shipped Spanish catalog.
SPANISH = {
    "Washing your hands": "Lavarse las manos",
    "Clean hands stop germs from spreading.": "Las manos limpias evitan que los gérmenes se propaguen.",
    "How to wash your hands": "Cómo lavarse las manos",
    "Use soap and warm water for **20 seconds**.": "Use jabón y agua tibia durante **20 segundos**.",
    "Wet your hands.": "Mójese las manos.",
    "Rub them together with soap.": "Frótelas con jabón.",
    "Rinse and dry them.": "Aclárelas y séquelas.",
    "When to ask for help": "Cuándo pedir ayuda",
    "Ask a nurse if you have a cut on your hands.": "Consulte a una enfermera si tiene un corte en las manos.",
}


# The same leaflet in a language of every other script the pipeline prints (Cyrillic, Arabic,
# Devanagari, Han, Hangul), for the tests that must see each script's PDFs.
OTHER_SCRIPTS = {
    "uk": {
        "Washing your hands": "Миття рук",
        "Clean hands stop germs from spreading.": "Чисті руки зупиняють поширення мікробів.",
        "How to wash your hands": "Як мити руки",
        "Use soap and warm water for **20 seconds**.": "Мийте руки з милом у теплій воді **20 секунд**.",
        "Wet your hands.": "Змочіть руки.",
        "Rub them together with soap.": "Потріть їх з милом.",
        "Rinse and dry them.": "Сполосніть і витріть їх.",
        "When to ask for help": "Коли звернутися по допомогу",
        "Ask a nurse if you have a cut on your hands.": "Зверніться до медсестри, якщо у вас поріз на руках.",
    },
    "ar": {
        "Washing your hands": "غسل اليدين",
        "Clean hands stop germs from spreading.": "اليدان النظيفتان تمنعان انتشار الجراثيم.",
        "How to wash your hands": "كيف تغسل يديك",
        "Use soap and warm water for **20 seconds**.": "استخدم الصابون والماء الدافئ لمدة **20 ثانية**.",
        "Wet your hands.": "بلّل يديك.",
        "Rub them together with soap.": "افركهما معًا بالصابون.",
        "Rinse and dry them.": "اشطفهما وجففهما.",
        "When to ask for help": "متى تطلب المساعدة",
        "Ask a nurse if you have a cut on your hands.": "اسأل الممرضة إذا كان في يديك جرح.",
    },
    "hi": {
        "Washing your hands": "अपने हाथ धोना",
        "Clean hands stop germs from spreading.": "साफ़ हाथ कीटाणुओं को फैलने से रोकते हैं।",
        "How to wash your hands": "अपने हाथ कैसे धोएँ",
        "Use soap and warm water for **20 seconds**.": "साबुन और गुनगुने पानी से **20 सेकंड** तक धोएँ।",
        "Wet your hands.": "अपने हाथ गीले करें।",
        "Rub them together with soap.": "उन्हें साबुन से आपस में रगड़ें।",
        "Rinse and dry them.": "उन्हें धोकर सुखाएँ।",
        "When to ask for help": "मदद कब माँगें",
        "Ask a nurse if you have a cut on your hands.": "अगर आपके हाथों पर कट है तो नर्स से पूछें।",
    },
    "zh_Hans": {
        "Washing your hands": "洗手",
        "Clean hands stop germs from spreading.": "干净的手能阻止细菌传播。",
        "How to wash your hands": "如何洗手",
        "Use soap and warm water for **20 seconds**.": "用肥皂和温水洗 **20 秒**。",
        "Wet your hands.": "弄湿双手。",
        "Rub them together with soap.": "用肥皂搓洗双手。",
        "Rinse and dry them.": "冲洗并擦干双手。",
        "When to ask for help": "何时寻求帮助",
        "Ask a nurse if you have a cut on your hands.": "如果手上有伤口，请咨询护士。",
    },
    "ko": {
        "Washing your hands": "손 씻기",
        "Clean hands stop germs from spreading.": "깨끗한 손은 세균이 퍼지는 것을 막습니다.",
        "How to wash your hands": "손 씻는 방법",
        "Use soap and warm water for **20 seconds**.": "비누와 따뜻한 물로 **20초** 동안 씻으세요.",
        "Wet your hands.": "손을 적시세요.",
        "Rub them together with soap.": "비누로 문지르세요.",
        "Rinse and dry them.": "헹구고 말리세요.",
        "When to ask for help": "도움을 요청할 때",
        "Ask a nurse if you have a cut on your hands.": "손에 상처가 있으면 간호사에게 물어보세요.",
    },
}

# The second fixture leaflet (tests/data/elements): every element of the format, in Arabic and Chinese.
ARABIC = {
    "After your skin biopsy": "بعد خزعة الجلد",
    "This leaflet explains how to look after the wound. More advice: <https://example.org/wound-care>":
        "تشرح هذه النشرة كيف تعتني بالجرح. نصائح أخرى: <https://example.org/wound-care>",
    "Before you go home": "قبل أن تعود إلى المنزل",
    "Keep the dressing on.": "أبق الضمادة في مكانها.",
    "Ask when your stitches come out.": "اسأل متى تزال الغرز.",
    "Caring for the wound": "العناية بالجرح",
    "Day": "اليوم", "What to do": "ماذا تفعل", "1": "1", "2": "2", "7": "7",
    "Keep the dressing dry.": "أبق الضمادة جافة.",
    "Take the dressing off.": "انزع الضمادة.",
    "Come back for your stitches.": "عد لإزالة الغرز.",
    "A small wound closed with three stitches, with a dressing over it.": "جرح صغير مغلق بثلاث غرز، وفوقه ضمادة.",
    "The wound after the biopsy": "الجرح بعد الخزعة",
    "Stitches": "الغرز", "Dressing": "الضمادة", "Skin": "الجلد",
    "When to contact us": "متى تتصل بنا",
    "Call the clinic if the wound bleeds.": "اتصل بالعيادة إذا نزف الجرح.",
    "if it is red and hot": "إذا كان أحمر وساخنا",
    "if you have a fever": "إذا أصابتك حمى",
}
CHINESE = {
    "After your skin biopsy": "皮肤活检后",
    "This leaflet explains how to look after the wound. More advice: <https://example.org/wound-care>":
        "本单张说明如何护理伤口。更多建议：<https://example.org/wound-care>",
    "Before you go home": "回家之前",
    "Keep the dressing on.": "保留敷料。",
    "Ask when your stitches come out.": "询问何时拆线。",
    "Caring for the wound": "伤口护理",
    "Day": "天", "What to do": "要做什么", "1": "1", "2": "2", "7": "7",
    "Keep the dressing dry.": "保持敷料干燥。",
    "Take the dressing off.": "取下敷料。",
    "Come back for your stitches.": "回来拆线。",
    "A small wound closed with three stitches, with a dressing over it.": "一个用三针缝合的小伤口，上面盖着敷料。",
    "The wound after the biopsy": "活检后的伤口",
    "Stitches": "缝线", "Dressing": "敷料", "Skin": "皮肤",
    "When to contact us": "何时联系我们",
    "Call the clinic if the wound bleeds.": "如果伤口出血，请致电诊所。",
    "if it is red and hot": "如果伤口发红发热",
    "if you have a fever": "如果您发烧",
}

# A glossary of two terms for the Spanish catalog: 'nurse' and 'soap', each with a term to avoid.
GLOSSARY = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en">
  <text><body>
    <termEntry id="nurse">
      <langSet xml:lang="en"><tig><term>nurse</term></tig></langSet>
      <langSet xml:lang="es">
        <tig><term>enfermera</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
        <tig>
          <term>auxiliar</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote>
        </tig>
      </langSet>
    </termEntry>
    <termEntry id="soap">
      <langSet xml:lang="en"><tig><term>soap</term></tig></langSet>
      <langSet xml:lang="es">
        <tig><term>jabón</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
        <tig><term>detergente</term><termNote type="administrativeStatus">forbidden</termNote></tig>
      </langSet>
    </termEntry>
  </body></text>
</martif>
"""
